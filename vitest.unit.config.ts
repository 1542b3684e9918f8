import { defineConfig } from 'vitest/config';

/**
 * The quick unit tests: no test services, no native modules. Used by the demo pipeline
 * (.circleci/config.yml) that `npm start` runs; `npm test` runs everything.
 */
export default defineConfig({
  test: {
    // The pure modules, the runner's and CLI's pieces, and the architecture rule. Server tests
    // need the native SQLite module, which the demo installs without building (--ignore-scripts).
    include: [
      'src/{shared,proxy,pipeline,protocol,net,runner,cli}/**/*.test.ts',
      'src/server/scheduler/**/*.test.ts',
      'test/architecture.test.ts',
    ],
    exclude: ['node_modules', 'dist', 'web/**'],
    testTimeout: 60_000,
  },
});
