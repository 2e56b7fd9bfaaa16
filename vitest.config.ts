import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Two files at a time on a 2-core machine: most of the suite's time is CLI end-to-end tests
    // waiting on a child process (one core busy), so a second file fills the idle core. Vitest's
    // default here is one worker (cores − 1), which put `npm test` at about 15 minutes.
    maxWorkers: 2,
    // Every test is bounded by its work (seeded cases, solver node limits), not by time; the limit
    // is there to catch a hang. At 60 s, three sessions' full runs on a machine at load 11–17 each
    // failed 2–5 tests (a 400-case property test that takes 37 s alone, CLI runs of 30 s) by timing out.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // A scratch folder for the run: the demo workspace is built there once (test/server.ts).
    globalSetup: ['test/global-setup.ts'],
  },
});
