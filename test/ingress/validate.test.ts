// One failing fixture per ingress rule (components/ingress/validate.ts): each mutates the Avilla
// stack file and asserts the exact problem, naming the config key.
import { rawSiteSchema } from "../../config/schema";
import { hostnameProblem, ingressProblems } from "../../components/ingress/validate";
import { Raw, rawStack } from "./harness";

function problems(
  stack: "avilla" | "albion",
  mutate: (raw: Raw) => void = () => undefined,
): string[] {
  const raw = rawStack(stack);
  mutate(raw);
  return ingressProblems(rawSiteSchema.parse(raw)).map((p) => `[${p.key}] ${p.message}`);
}

describe("ingressProblems", () => {
  it.each(["avilla", "albion"] as const)("accepts the %s stack file", (stack) => {
    expect(problems(stack)).toEqual([]);
  });

  const cases: [string, (raw: Raw) => void, string[]][] = [
    [
      "static IP is the LAN's network address",
      (r) => (r.clusters[0].ingress.addresses[0].ip = "10.1.0.0"),
      [
        "[plant:clusters[0].ingress.addresses[0].ip] 10.1.0.0 is the network address of the plant LAN 10.1.0.0/22",
      ],
    ],
    [
      "static IP is the LAN's broadcast address",
      (r) => (r.clusters[1].ingress.addresses[0].ip = "10.1.3.255"),
      [
        "[plant:clusters[1].ingress.addresses[0].ip] 10.1.3.255 is the broadcast address of the plant LAN 10.1.0.0/22",
      ],
    ],
    [
      "upper-case host name",
      (r) => (r.clusters[0].ingress.addresses[0].hostnames = ["Reports1"]),
      [
        "[plant:clusters[0].ingress.addresses[0].hostnames[0]] Reports1.busche-cnc.com has the label 'Reports1', which is not a lowercase DNS label (a-z, 0-9, '-', at most 63, no leading or trailing '-')",
      ],
    ],
    [
      "host name with an underscore",
      (r) => (r.clusters[1].ingress.addresses[0].hostnames = ["reports-alb", "gauge_report"]),
      [
        "[plant:clusters[1].ingress.addresses[0].hostnames[1]] gauge_report.busche-cnc.com has the label 'gauge_report', which is not a lowercase DNS label (a-z, 0-9, '-', at most 63, no leading or trailing '-')",
      ],
    ],
    [
      "wildcard host name",
      (r) => (r.clusters[0].ingress.addresses[0].hostnames = ["*.reports"]),
      [
        "[plant:clusters[0].ingress.addresses[0].hostnames[0]] *.reports is a wildcard; list each host name (each gets its own listener and certificate)",
      ],
    ],
    [
      "FQDN too long for its listener name",
      (r) =>
        (r.clusters[0].ingress.addresses[0].hostnames = [
          `${"a".repeat(60)}.`.repeat(4) + "example.com",
        ]),
      [
        `[plant:clusters[0].ingress.addresses[0].hostnames[0]] ${`${"a".repeat(60)}.`.repeat(4)}example.com is longer than 247 characters (its listener name 'https-<name>' must fit in 253)`,
      ],
    ],
    [
      "more host names than a Gateway has listeners",
      (r) =>
        (r.clusters[0].ingress.addresses[0].hostnames = Array.from(
          { length: 64 },
          (_, i) => `reports${i + 1}`,
        )),
      [
        "[plant:clusters[0].ingress.addresses[0].hostnames] lists 64 host names; one Gateway takes at most 63 (64 listeners, one for HTTP)",
      ],
    ],
    [
      "fewer gateway replicas than tolerated failures + 1",
      (r) => {
        r.site.failuresTolerated = 2;
        r.clusters[0].ingress.gatewayReplicas = 2;
        delete r.clusters[1].ingress;
      },
      [
        "[plant:clusters[0].ingress.gatewayReplicas] is 2; surviving 2 host failure(s) (plant:site.failuresTolerated) needs at least 3",
        "[plant:clusters[0].ingress.gatewayReplicas] is 2; each Envoy replica needs its own physical host and cluster reports runs workloads on 3, so with 2 down (plant:site.failuresTolerated) at most 1 can run (gatewayReplicas ≤ hosts running workloads − f): raise plant:clusters[0].workers.count to 4 and add R620s to plant:hosts (3 listed, 4 needed)",
      ],
    ],
    [
      "more gateway replicas than physical hosts left after tolerated failures (OpenStack cluster)",
      (r) => (r.clusters[0].ingress.gatewayReplicas = 3),
      [
        "[plant:clusters[0].ingress.gatewayReplicas] is 3; each Envoy replica needs its own physical host and cluster reports runs workloads on 3, so with 1 down (plant:site.failuresTolerated) at most 2 can run (gatewayReplicas ≤ hosts running workloads − f): raise plant:clusters[0].workers.count to 4 and add R620s to plant:hosts (3 listed, 4 needed), or lower gatewayReplicas to 2",
      ],
    ],
    [
      "an OpenStack cluster counts at most one host per worker",
      (r) => (r.clusters[0].workers.count = 2),
      [
        "[plant:clusters[0].ingress.gatewayReplicas] is 2; each Envoy replica needs its own physical host and cluster reports runs workloads on 2, so with 1 down (plant:site.failuresTolerated) at most 1 can run (gatewayReplicas ≤ hosts running workloads − f): raise plant:clusters[0].workers.count to 3",
      ],
    ],
    [
      "existing cluster on two physical hosts with two gateway replicas",
      (r) => (r.clusters[1].nodes[2].physicalHost = "optiplex-2"),
      [
        "[plant:clusters[1].ingress.gatewayReplicas] is 2; each Envoy replica needs its own physical host and cluster optiplex runs workloads on 2, so with 1 down (plant:site.failuresTolerated) at most 1 can run (gatewayReplicas ≤ hosts running workloads − f): give 3 distinct physical hosts nodes with role worker or control-plane+worker in plant:clusters[1].nodes",
      ],
    ],
    [
      "existing cluster whose workloads run on one physical host",
      (r) => r.clusters[1].nodes.forEach((n: Raw) => (n.physicalHost = "optiplex-1")),
      [
        "[plant:clusters[1].ingress] cluster optiplex runs workloads on 1 physical host(s) (optiplex-1); the gateway needs at least 2 to survive a host failure: give 2 distinct physical hosts nodes with role worker or control-plane+worker in plant:clusters[1].nodes",
      ],
    ],
  ];

  it.each(cases)("refuses: %s", (_name, mutate, expected) => {
    expect(problems("avilla", mutate)).toEqual(expected);
  });

  it("counts only nodes that run workloads when checking physical hosts", () => {
    expect(
      problems("albion", (r) => {
        r.clusters[1].nodes = r.clusters[1].nodes.map((n: Raw, i: number) => ({
          ...n,
          role: i < 3 ? "control-plane" : "worker",
          physicalHost: i < 3 ? n.physicalHost : "ntnx-a",
        }));
      }),
    ).toEqual([
      "[plant:clusters[1].ingress] cluster optiplex runs workloads on 1 physical host(s) (ntnx-a); the gateway needs at least 2 to survive a host failure: give 2 distinct physical hosts nodes with role worker or control-plane+worker in plant:clusters[1].nodes",
    ]);
  });
});

describe("hostnameProblem", () => {
  it.each([
    ["reports1.busche-cnc.com", undefined],
    ["a.b", undefined],
    ["x".repeat(63) + ".example.com", undefined],
    ["x".repeat(64) + ".example.com", "has the label"],
    ["-reports.example.com", "has the label '-reports'"],
    ["reports-.example.com", "has the label 'reports-'"],
    ["reports..example.com", "has the label ''"],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(55)}`, undefined],
    [
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(56)}`,
      "is longer than 247 characters",
    ],
  ])("%s → %s", (name, expected) => {
    const problem = hostnameProblem(name);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
  });
});
