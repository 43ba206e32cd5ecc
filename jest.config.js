/** @type {import('jest').Config} */
module.exports = {
  // jest-light-runner: each test file runs in bare Node.js (a child process per worker), not in
  // a vm context of its own. Inside a vm context every global lookup goes through V8's
  // interceptors and every module is loaded afresh per file; the suite spent half its CPU on
  // that (a warm plan took 0.65 s in a jest context, 0.35 s in Node). The price is isolation:
  // the files of one worker share Node's module cache and globals, so a file must undo what it
  // changes (process.env, servers, timers) and may not mock modules. light-runner.mjs is the
  // runner with a fix for its worker start-up (a worker could wait forever).
  runner: "<rootDir>/test/support/light-runner.mjs",
  // TypeScript through ts-node with swc (tools/register.js, as the CLIs run), and Node's module
  // hooks for the test files themselves, which the runner loads with import().
  setupFiles: ["<rootDir>/test/support/light-setup.mjs"],
  // Time limits for tests and hooks, which the runner does not enforce itself.
  setupFilesAfterEnv: ["<rootDir>/test/support/light-timeouts.js"],
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Real servers on loopback: `npm run test:db-tls` (jest.db-tls.config.js), not `npm test`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/integration/"],
  // Only the global setup and teardown go through jest's own transform.
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
        sourceMaps: "inline",
      },
    ],
  },
  // Both stacks are planned once per run and shared by the test files (test/support/plans.ts).
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  // See test/support/sequencer.js: on a fresh clone the suites that plan whole sites go first.
  testSequencer: "<rootDir>/test/support/sequencer.js",
  testTimeout: 30000,
  maxWorkers: 2,
};
