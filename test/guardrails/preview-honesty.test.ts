// The PR summary says plainly when a preview cannot show a cluster's chart contents.
import { blindClusters, honestyMarkdown } from "../../tools/preview-honesty";

const P = "urn:pulumi:avilla::plant::";
const provider = (name: string, op: string, diffs?: string[]) => ({
  op,
  urn: `${P}pulumi:providers:kubernetes::${name}`,
  ...(diffs ? { diffs } : {}),
  newState: { type: "pulumi:providers:kubernetes" },
});
const chart = (name: string, providerName: string) => ({
  op: "create",
  urn: `${P}plant:ingress:MetalLb$kubernetes:helm.sh/v4:Chart::${name}`,
  provider: `${P}pulumi:providers:kubernetes::${providerName}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
  newState: { type: "kubernetes:helm.sh/v4:Chart" },
});
const child = (chartName: string, name: string) => ({
  op: "create",
  urn: `${P}plant:ingress:MetalLb$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:Deployment::${name}`,
  newState: {
    type: "kubernetes:apps/v1:Deployment",
    parent: `${P}plant:ingress:MetalLb$kubernetes:helm.sh/v4:Chart::${chartName}`,
  },
});

test("a new cluster's charts are named as previewed empty", () => {
  const steps = [
    provider("k8s-reports", "create"),
    chart("reports-metallb-chart", "k8s-reports"),
    provider("k8s-optiplex", "same"),
    chart("optiplex-metallb-chart", "k8s-optiplex"),
    child("optiplex-metallb-chart", "optiplex-metallb-chart:metallb-system/metallb-controller"),
  ];
  expect(blindClusters(steps)).toEqual([
    {
      provider: "k8s-reports",
      reason: "the cluster (or its provider) is created by this deploy",
      charts: [{ name: "reports-metallb-chart", children: 0 }],
    },
  ]);
  const md = honestyMarkdown(steps);
  expect(md).toContain("This preview is incomplete");
  expect(md).toContain(
    "| k8s-reports | the cluster (or its provider) is created by this deploy | reports-metallb-chart (0 objects) |",
  );
  expect(md).not.toContain("k8s-optiplex");
});

test("a kubeconfig that changes in the deploy makes the preview blind too", () => {
  expect(blindClusters([provider("k8s-optiplex", "update", ["kubeconfig"])])[0].reason).toBe(
    "its kubeconfig changes in this deploy",
  );
  expect(blindClusters([provider("k8s-optiplex", "update", ["enableServerSideApply"])])).toEqual(
    [],
  );
});

test("a routine preview says its chart contents are complete", () => {
  expect(honestyMarkdown([provider("k8s-reports", "same")])).toContain(
    "every cluster's kubeconfig is known",
  );
});
