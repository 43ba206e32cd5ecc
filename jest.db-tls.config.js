/** @type {import('jest').Config} */
// `npm run test:db-tls`: the database TLS test against real servers on 127.0.0.1
// (test/integration/). Kept out of `npm test` (jest.config.js ignores test/integration/), whose
// 60 s budget it would break; `.ci/run` runs it after `npm test`.
const base = require("./jest.config");

module.exports = {
  runner: base.runner,
  setupFiles: base.setupFiles,
  setupFilesAfterEnv: base.setupFilesAfterEnv,
  roots: ["<rootDir>/test/integration"],
  testMatch: ["**/*.test.ts"],
  testTimeout: 60000,
  maxWorkers: 1,
};
