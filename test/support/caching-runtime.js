// Jest's module runtime (jest.config.js `runtime`) with V8's code cache. Every test file gets a
// fresh module registry, so a worker compiled the Pulumi SDKs, zod, gRPC… anew for each file
// it ran. Here a worker keeps, per module, the code V8 compiled for it in the first file that
// loaded it (taken when a second file loads it, so functions compiled while the first file
// ran are included), and later files start from that instead of parsing the source again.
// Modules still run afresh in each file's own context: only compiled code is reused, only for
// byte-identical source, and V8 itself refuses a cache that does not match the source.
const vm = require("vm");
const Runtime = require("jest-runtime").default;

/** `filename\0parameters` → { source, script } until a second use, then { source, data }. */
const codeCache = new Map();

function compileWithCache(executor, scriptSource, filename) {
  const context = executor.environment.getVmContext();
  if (context == null) return undefined;
  const params = executor.injectedModuleParameters.join(",");
  const key = `${filename}\0${params}`;
  const entry = codeCache.get(key);
  let cachedData;
  if (entry?.source === scriptSource) {
    entry.data ??= entry.script.createCachedData();
    entry.script = undefined;
    cachedData = entry.data;
  }
  // The same function jest-runtime makes with vm.compileFunction; the wrapper line sits at
  // line 0 so every line of the module keeps its number in stack traces.
  const script = new vm.Script(`(function (${params}) {\n${scriptSource}\n})`, {
    filename,
    lineOffset: -1,
    cachedData,
    importModuleDynamically: (specifier, _script, attributes, ...rest) =>
      executor.dynamicImport(specifier, filename, context, attributes, rest[0]),
  });
  const fn = script.runInContext(context);
  if (script.cachedDataRejected) codeCache.delete(key);
  else if (cachedData === undefined) codeCache.set(key, { source: scriptSource, script });
  return fn;
}

class CachingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    // jest-runtime 30 compiles modules in its `executor`; anything else keeps jest's own path.
    const executor = this.executor;
    if (!executor || typeof executor.compile !== "function" || !executor.resolution) return;
    const jestCompile = executor.compile.bind(executor);
    executor.compile = (scriptSource, filename) => {
      if (executor.resolution.isCoreModule(filename)) return jestCompile(scriptSource, filename);
      try {
        return compileWithCache(executor, scriptSource, filename) ?? null;
      } catch {
        // Syntax errors and the like: jest's compile reports them its way.
        return jestCompile(scriptSource, filename);
      }
    };
  }
}

module.exports = CachingRuntime;
