// A jest test environment that also carries @kubernetes/client-node, loaded by Node's own
// require (see native-kube-client.js): once per worker, shared by the files that ask for it.
// Test files opt in with the docblock `/** @jest-environment ./test/support/kube-client-env.js */`.
const { TestEnvironment } = require("jest-environment-node");
const kubeClient = require("@kubernetes/client-node");

class KubeClientEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__plantKubeClient = kubeClient;
  }
}

module.exports = KubeClientEnvironment;
