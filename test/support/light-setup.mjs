// jest.config.js `setupFiles`, run in each worker before its first test file: .ts modules are
// transpiled by tools/register.js (ts-node with swc) when required, and Node's module hooks
// (ts-esm-hooks.mjs) send the test files, which jest-light-runner import()s, to that loader.
import { createRequire, register } from "node:module";

createRequire(import.meta.url)("../../tools/register.js");
register("./ts-esm-hooks.mjs", import.meta.url);
