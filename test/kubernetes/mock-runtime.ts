// A recording mock runtime for component tests: the lead's tls/random tables plus this area's
// table, every declared resource kept with its inputs. Call `useMocks()` before declaring.
import * as path from "path";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { mockState as baseState } from "../../tools/plan/mock-state/base";
import { mockState as k8sState } from "../../tools/plan/mock-state/kubernetes";
import { mockId } from "../../tools/plan/mock-types";
import { readStackFile, parseSite, SiteConfig, SiteSecrets } from "../../config";
import { OpenStackFoundation, OpenStackVmSlot } from "../../components/openstack";
import { Placement, PlannedVm } from "../../components/openstack/placement";

export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
  /** As sent to the engine (the mock's newResource does not see resource options). */
  readonly additionalSecretOutputs: readonly string[];
}

export const recorded: Recorded[] = [];

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getAdditionalsecretoutputsList(): string[];
}

/** `type::name` → additionalSecretOutputs of the last registration request. */
const secretOutputs = new Map<string, string[]>();

/** Wraps the mock monitor so each request's options are seen before `newResource` runs. */
function captureRequests(): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): Promise<void>;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    secretOutputs.set(`${req.getType()}::${req.getName()}`, req.getAdditionalsecretoutputsList());
    return register(req, callback);
  };
}

export function useMocks(): void {
  const tables = { ...baseState, ...k8sState };
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
          additionalSecretOutputs: secretOutputs.get(`${args.type}::${args.name}`) ?? [],
        });
        const compute = tables[args.type];
        return {
          id: args.custom === false ? undefined : mockId(args.type, args.name),
          state: { ...args.inputs, ...(compute ? compute(args.name, args.inputs) : {}) },
        };
      },
      call(args) {
        throw new Error(`unexpected function call ${args.token}`);
      },
    },
    "plant",
    "avilla",
    false,
  );
  captureRequests();
}

export function byType(type: string): Recorded[] {
  return recorded.filter((r) => r.type === type);
}

export function outputValue<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

export function site(stack: "avilla" | "albion"): SiteConfig {
  return parseSite(stack, readStackFile(path.join(__dirname, `../../Pulumi.${stack}.yaml`)));
}

export function fakeSecrets(values: Record<string, string>): SiteSecrets {
  return {
    placeholders: [],
    get(key) {
      const v = values[key];
      if (v === undefined) throw new Error(`secret ${key} was not declared`);
      return pulumi.secret(v);
    },
  };
}

/** A test-only OpenStack foundation: real (mocked) provider and ports, ids as plain Outputs. */
export function fakeFoundation(placement: Placement): OpenStackFoundation {
  const provider = new openstack.Provider("fake-openstack", {});
  const slot = (vm: PlannedVm): OpenStackVmSlot => ({
    ...vm,
    port: new openstack.networking.Port(
      `fake-port-${vm.name}`,
      { networkId: "net-plant-lan" },
      { provider },
    ),
    flavorId: pulumi.output(`flavor-${vm.flavor.vcpus}c${vm.flavor.ramGb}g`),
    serverGroupId: pulumi.output(`servergroup-${vm.cluster}-${vm.role}`),
    availabilityZone: vm.host,
  });
  return {
    provider,
    imageId: pulumi.output("image-ubuntu-24.04"),
    keypairName: pulumi.output("plant-ops"),
    vms: placement.vms.map(slot),
    objectStore: undefined as never,
    blockStorage: {
      authUrl: pulumi.output("https://keystone.avilla.busche-cnc.com:5000/v3"),
      region: "RegionOne",
      applicationCredentialId: pulumi.output("0123456789abcdef0123456789abcdef"),
      applicationCredentialSecret: pulumi.secret("FakeApplicationCredentialSecret0123456789"),
    },
    outputs: undefined as never,
  };
}
