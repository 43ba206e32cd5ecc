// jest.config.js `setupFiles`, run in each worker before its first test file: .ts modules are
// transpiled by tools/register.js (ts-node with swc) when required, and Node's module hooks
// (ts-esm-hooks.mjs) send the test files, which jest-light-runner import()s, to that loader.
import { createRequire, register } from "node:module";

createRequire(import.meta.url)("../../tools/register.js");
register("./ts-esm-hooks.mjs", import.meta.url);

// The Pulumi SDK records a stack trace on every promise it makes (runtime/debuggable.js), read
// only by its promise-leak report when a program exits. Source-mapping each of them (ts-node's
// source-map-support formats every stack) was a tenth of the suite's CPU: those come back
// empty. Every other stack is formatted as before.
const formatStack = Error.prepareStackTrace;
if (formatStack) {
  Error.prepareStackTrace = (error, trace) =>
    trace[0]?.getFunctionName() === "debuggablePromise" ? "" : formatStack(error, trace);
}
