/** @type {import('jest').Config} */
module.exports = {
  // Jest's node environment; see test/support/environment.js for its one difference.
  testEnvironment: "<rootDir>/test/support/environment.js",
  // The Pulumi SDK keeps a process-wide promise-leak detector; jest's global clean-up between
  // files would only warn about it touching globals after the file ended.
  testEnvironmentOptions: { globalsCleanup: "off" },
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Real servers on loopback: `npm run test:db-tls` (jest.db-tls.config.js), not `npm test`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/integration/"],
  transform: {
    // Type checking is `npm run typecheck`; jest only transpiles (swc), which keeps the suite fast.
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
  // See test/support/lazy-module.js: two SDK dependencies loaded on first use instead of per file.
  moduleNameMapper: {
    "^typescript$": "<rootDir>/test/support/lazy-typescript.js",
    "^@npmcli/arborist$": "<rootDir>/test/support/lazy-arborist.js",
    "^@kubernetes/client-node$": "<rootDir>/test/support/native-kube-client.js",
    "^\\./v8Hooks$": "<rootDir>/test/support/shared-v8-hooks.js",
  },
  // See test/support/caching-runtime.js: compiled modules reused across the files of a worker.
  runtime: "<rootDir>/test/support/caching-runtime.js",
  // See test/support/sequencer.js: on a fresh clone the suites that plan whole sites go first.
  testSequencer: "<rootDir>/test/support/sequencer.js",
  testTimeout: 30000,
  maxWorkers: 2,
};
