// Node module hooks (registered by light-setup.mjs): jest-light-runner loads each test file
// with import(), and Node's ES module loader knows no .ts. A .ts URL is handed to the CommonJS
// loader instead, where tools/register.js transpiles it, as it does every module it requires.
export async function load(url, context, next) {
  if (/\.ts(\?|$)/.test(url)) return { format: "commonjs", shortCircuit: true };
  return next(url, context);
}
