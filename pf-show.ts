import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { preflightMain } from "./tools/preflight/run";
import { fakeKubeconfig, recordedAnswers, startFakeKubeApi } from "./test/support/fake-kube-api";
import { makeTestPki } from "./test/support/x509";
(async () => {
  const pki = makeTestPki();
  const a = await startFakeKubeApi({ pki, answers: recordedAnswers("optiplex-k3s.json") });
  const b = await startFakeKubeApi({ pki, answers: recordedAnswers("rke2-fresh.json"), tokens: ["t"] });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pf-"));
  fs.writeFileSync(`${tmp}/o.yaml`, fakeKubeconfig(a.url, pki, { clientCert: "plant-admin" }, "optiplex"));
  fs.writeFileSync(`${tmp}/r.yaml`, fakeKubeconfig(b.url, pki, { token: "t" }, "reports"));
  const code = await preflightMain(["avilla", "--kubeconfig", `optiplex=${tmp}/o.yaml`, "--kubeconfig", `reports=${tmp}/r.yaml`, ...process.argv.slice(2)], { out: console.log, err: console.error });
  console.log("exit", code);
  await a.close(); await b.close();
})();
