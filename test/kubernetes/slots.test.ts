import fc from "fast-check";
import { slotNode, slotProblems, sortedSlots } from "../../components/kubernetes/slots";
import { PlannedVm } from "../../components/openstack/placement";

const flavor = { vcpus: 4, ramGb: 8, diskGb: 60 };
const vm = (
  role: PlannedVm["role"],
  index: number,
  host: string,
  cluster = "reports",
): PlannedVm => ({
  name: `${cluster}-${role === "worker" ? "worker" : "cp"}-${index + 1}`,
  cluster,
  role,
  index,
  host,
  ip: `10.1.1.${10 + index}`,
  flavor,
});
const expectations = { clusterName: "reports", controlPlaneCount: 3, workerCount: 1 };
const good = [
  vm("control-plane", 0, "r620-1"),
  vm("control-plane", 1, "r620-2"),
  vm("control-plane", 2, "r620-3"),
  vm("worker", 0, "r620-1"),
];

describe("slotProblems", () => {
  test.each<[string, PlannedVm[], string[]]>([
    ["a good placement", good, []],
    [
      "two servers on one host",
      [
        vm("control-plane", 0, "r620-1"),
        vm("control-plane", 1, "r620-1"),
        vm("control-plane", 2, "r620-3"),
        vm("worker", 0, "r620-1"),
      ],
      [
        "[clusters.reports.controlPlane] servers reports-cp-1, reports-cp-2 share r620-1: etcd quorum needs distinct hosts",
      ],
    ],
    [
      "a missing server",
      good.slice(1),
      ["[clusters.reports.controlPlane] the placement has 2 servers, expected 3"],
    ],
    [
      "a missing worker",
      good.slice(0, 3),
      ["[clusters.reports.workers.count] the placement has 0 workers, expected 1"],
    ],
    [
      "a slot of another cluster",
      [...good, vm("worker", 5, "r620-2", "other")],
      ["[clusters.reports] slots of other clusters were passed: other-worker-6"],
    ],
  ])("%s", (_label, slots, problems) => {
    expect(slotProblems(slots, expectations)).toEqual(problems);
  });
});

describe("sortedSlots", () => {
  test("servers first, then workers, by index, whatever the input order", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(good, { minLength: good.length, maxLength: good.length }),
        (shuffled) => {
          expect(sortedSlots(shuffled).map((s) => s.name)).toEqual([
            "reports-cp-1",
            "reports-cp-2",
            "reports-cp-3",
            "reports-worker-1",
          ]);
        },
      ),
    );
  });
});

describe("slotNode", () => {
  test.each<[PlannedVm["role"], boolean, string[]]>([
    ["control-plane", true, ["control-plane"]],
    ["control-plane", false, ["control-plane", "worker"]],
    ["worker", true, ["worker"]],
  ])("%s with workers=%s has roles %j", (role, hasWorkers, roles) => {
    expect(slotNode(vm(role, 0, "r620-2"), hasWorkers)).toEqual({
      name: role === "worker" ? "reports-worker-1" : "reports-cp-1",
      ip: "10.1.1.10",
      physicalHost: "r620-2",
      roles,
      cpu: 4,
      memoryGb: 8,
    });
  });
});
