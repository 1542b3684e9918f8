import { defineConfig } from 'vitest/config';

/**
 * The quick unit tests: no test services, no native modules. Used by the demo pipeline
 * (.circleci/config.yml) that `npm start` runs; `npm test` runs everything.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/architecture.test.ts'],
    exclude: ['node_modules', 'dist', 'web/**', 'src/server/store/**'],
    testTimeout: 60_000,
  },
});
