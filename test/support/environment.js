// Jest's node environment (jest.config.js `testEnvironment`), with one change: the stack trace
// the Pulumi SDK captures for every promise it makes (runtime/debuggable.js, kept only for its
// promise-leak report at process exit, which never runs inside a test file) is not formatted.
// Jest formats every stack through source maps, and these captures were a tenth of the suite's
// CPU. Any other error's stack is formatted exactly as jest does. (runPlan already switches
// the captures off while it plans; this covers tests that drive the mock runtime themselves.)
const { TestEnvironment } = require("jest-environment-node");

/** V8's own rendering, for when no formatter is installed outside the sandbox. */
function v8Format(error, trace) {
  const head = error instanceof Object ? String(error) : "Error";
  return [head, ...trace.map((frame) => `    at ${frame}`)].join("\n");
}

class PlantEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    // Node uses the sandbox's Error.prepareStackTrace when it has one, else the worker's
    // (jest's source-mapping formatter, installed per test file): delegate to that one.
    const outer = Error;
    this.global.Error.prepareStackTrace = (error, trace) =>
      trace[0]?.getFunctionName() === "debuggablePromise"
        ? ""
        : (outer.prepareStackTrace ?? v8Format)(error, trace);
    // See shared-v8-hooks.js: the worker's one copy, loaded outside the test file's registry.
    Object.defineProperty(this.global, "__plantV8Hooks", {
      get: () => require("@pulumi/pulumi/runtime/closure/v8Hooks"),
    });
  }
}

module.exports = PlantEnvironment;
