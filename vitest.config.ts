import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Two files at a time on a 2-core machine: most of the suite's time is CLI end-to-end tests
    // waiting on a child process (one core busy), so a second file fills the idle core. Vitest's
    // default here is one worker (cores − 1), which put `npm test` at about 15 minutes.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A scratch folder for the run: the demo workspace is built there once (test/server.ts).
    globalSetup: ['test/global-setup.ts'],
  },
});
