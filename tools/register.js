// `node -r ./tools/register.js tools/<tool>.ts`: ts-node transpiling with swc (@swc/core, the
// transpiler jest uses) instead of TypeScript's own, which was most of a short run's CPU (a
// refused config took 2.3 s, 0.9 s with swc). Type checking is `npm run typecheck`, as before.
require("ts-node").register({ transpileOnly: true, swc: true });
