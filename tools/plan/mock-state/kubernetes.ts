// Mocked provider state for the Kubernetes area: Nova instances of the RKE2 clusters and the
// API readiness gate (a dynamic resource that, for real, waits for /readyz).
import { MockInputs, MockStateTable } from "../mock-types";

function instanceState(_name: string, inputs: MockInputs): Record<string, unknown> {
  const metadata = (inputs.metadata ?? {}) as Record<string, string>;
  const networks = (inputs.networks ?? []) as { port?: string }[];
  const ip = metadata.ip ?? "";
  return {
    accessIpV4: ip,
    accessIpV6: "",
    allMetadata: metadata,
    allTags: [],
    availabilityZone: inputs.availabilityZone,
    created: "2026-11-23T00:00:00Z",
    powerState: "active",
    networks: networks.map((n) => ({
      port: n.port,
      fixedIpV4: ip,
      name: "plant-lan",
      mac: "fa:16:3e:00:00:01",
    })),
    // Nova returns the generated password only for Windows images; empty but still marked secret.
    adminPass: "",
  };
}

export const mockState: MockStateTable = {
  "openstack:compute/instance:Instance": instanceState,
  // ApiServerReady (components/kubernetes/api-ready.ts) echoes its inputs.
  "pulumi-nodejs:dynamic:Resource": (_name, inputs) => ({ ...inputs }),
};
