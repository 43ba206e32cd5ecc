// jest.config.js `setupFilesAfterEnv`: jest-light-runner runs tests and hooks without jest's
// time limits, so one hung test would hang the run and CI with it. Here every test and hook
// (and each row of test.each / it.each) fails once it runs past its timeout: the third
// argument as in jest, else the run's testTimeout (handed over by light-runner.mjs).
// Callback-style tests (`done`) are left as they are; the suite has none.
const testTimeout = Number(process.env.PLANT_TEST_TIMEOUT_MS) || 5000;

function timed(fn, ms, what) {
  if (typeof fn !== "function") return fn;
  const limit = typeof ms === "number" && ms > 0 ? ms : testTimeout;
  return function (...args) {
    let timer;
    const expired = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Exceeded timeout of ${limit} ms for ${what}.`)),
        limit,
      );
    });
    return Promise.race([Promise.resolve().then(() => fn.apply(this, args)), expired]).finally(() =>
      clearTimeout(timer),
    );
  };
}

function wrapTest(original) {
  const wrap = (register) => (name, fn, ms) =>
    typeof fn === "function" && fn.length > 0
      ? register(name, fn, ms)
      : register(name, timed(fn, ms, `test "${name}"`), ms);
  const wrapped = wrap(original);
  Object.assign(wrapped, original);
  wrapped.only = wrap(original.only);
  wrapped.each = (...table) => {
    const register = original.each(...table);
    return (name, fn, ms) => register(name, timed(fn, ms, `test "${name}"`), ms);
  };
  return wrapped;
}

function wrapHook(original, kind) {
  return (fn, ms) => original(timed(fn, ms, `a ${kind} hook`), ms);
}

globalThis.test = wrapTest(globalThis.test);
globalThis.it = wrapTest(globalThis.it);
for (const kind of ["beforeAll", "afterAll", "beforeEach", "afterEach"])
  globalThis[kind] = wrapHook(globalThis[kind], kind);

// A worker whose runner has gone (the run ended, or was killed) ends too, instead of living on
// for whatever a test left running (a server, an interval).
if (typeof process.send === "function") process.on("disconnect", () => process.exit(0));
