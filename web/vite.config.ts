import { defineConfig } from 'vite';

// No React plugin: esbuild compiles JSX (automatic runtime). `base: './'` makes every asset URL
// relative; the server puts a <base href> into index.html, so the UI works under any path prefix.
export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'react' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev -w web` next to `npm start`: the API comes from the server.
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
