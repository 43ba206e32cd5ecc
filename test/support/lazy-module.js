// Jest-only: @pulumi/pulumi loads `typescript` and `@npmcli/arborist` when it is imported, but
// uses them only to serialize functions (dynamic providers). Loading them in every test file's
// fresh module registry cost ~0.4 s per file; these stand-ins load the real module on first use.
// (jest.config.js maps the two module names here; the real files are required by path.)
const path = require("path");

function lazy(realPath, keys, esModule) {
  let real;
  const load = () => (real ??= require(realPath));
  return new Proxy(
    {},
    {
      // TypeScript's old `__importStar` helper (the SDK's codePaths.js) copies every key of a
      // module at import time, which would load it at once; it leaves an `__esModule` alone.
      get: (_, key) => (key === "__esModule" ? esModule : load()[key]),
      has: (_, key) => key in load(),
      ownKeys: () => keys,
      getOwnPropertyDescriptor: (_, key) =>
        keys.includes(key)
          ? { configurable: true, enumerable: true, get: () => load()[key] }
          : undefined,
    },
  );
}

const root = path.join(__dirname, "../../node_modules");
module.exports = {
  typescript: lazy(path.join(root, "typescript/lib/typescript.js"), [], undefined),
  arborist: lazy(
    path.join(root, "@npmcli/arborist/lib/index.js"),
    ["Arborist", "Node", "Link", "Edge", "Shrinkwrap"],
    true,
  ),
};
