// The Pulumi SDK's runtime/closure/v8Hooks (jest.config.js moduleNameMapper), one per worker
// process instead of one per test file. Serializing a dynamic provider's closure opens an
// inspector session with the V8 debugger enabled, listening to every script parsed afterwards;
// each test file's fresh copy of the SDK opened another one and none was ever closed, so a
// worker ended with a session per file, each told about every module every later file compiled.
// One session sees every script of the process (all contexts): same answers, opened once.
module.exports = globalThis.__plantV8Hooks;
