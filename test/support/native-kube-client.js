// Jest-only: @kubernetes/client-node 1.x ships only ES modules. Jest's own module loader cannot
// load those (on Node < 24.9) without transpiling the client's ~3,000 files into every test
// file's fresh registry, ~2.4 s of CPU per file. Node itself (20.19+) loads them with require():
// the test environment test/support/kube-client-env.js does that once per jest worker and hands
// the module in; jest.config.js maps `@kubernetes/client-node` here.
const kubeClient = globalThis.__plantKubeClient;
if (!kubeClient)
  throw new Error(
    "@kubernetes/client-node is loaded by the test environment: start the test file with the docblock `/** @jest-environment ./test/support/kube-client-env.js */`",
  );
module.exports = kubeClient;
