// Jest-only: @kubernetes/client-node 1.x is an ES module. Node (≥ 20.19) loads it with require();
// jest's module registry cannot, and jest also wraps `module.createRequire`. This stand-in asks
// Node's own loader (Module._load) for it, once per worker. What it returns lives in Node's realm,
// not the test's: match its errors by their fields, never with instanceof.
const { Module } = require("module");

module.exports = Module._load(require.resolve("@kubernetes/client-node"), null, false);
