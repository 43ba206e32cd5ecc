// The VMs of the host a drill takes out, through Nova: found by name (and checked to run on that
// host), stopped (or paused), waited for, and brought back, with how long each step took.
import { PlannedVm } from "../../components/openstack/placement";
import { VmRecord } from "./host-loss-report";
import { NovaAction, ServerState } from "./openstack";
import { DrillError } from "./stack";

export interface NovaLike {
  findServer(name: string): Promise<ServerState | undefined>;
  server(id: string): Promise<ServerState>;
  action(id: string, action: NovaAction): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => Math.round(ms) / 1000;

/**
 * Polls `ok` until it holds for `stableMs` in a row or `boundMs` passes; when it began to hold.
 * With `notBeforeMs`, the answer is never given earlier than that long after the start (a
 * failure Kubernetes notices late must get the chance to show).
 */
export async function holdFor(
  ok: () => Promise<boolean>,
  stableMs: number,
  boundMs: number,
  pollMs: number,
  notBeforeMs = 0,
): Promise<number | undefined> {
  const start = Date.now();
  const end = start + boundMs;
  let since: number | undefined;
  for (;;) {
    const now = Date.now();
    if (await ok().catch(() => false)) {
      since ??= now;
      if (now - since >= stableMs && now - start >= notBeforeMs) return since;
    } else since = undefined;
    if (now > end) return undefined;
    await sleep(pollMs);
  }
}

export class HostVms {
  private readonly stopped = new Map<string, number>();
  private readonly started = new Map<string, number>();
  private readonly status = new Map<string, string>();
  private readonly actions: { down: NovaAction; up: NovaAction; downStatus: string };

  private constructor(
    private readonly nova: NovaLike | undefined,
    readonly servers: readonly (ServerState & { cluster: string })[],
    how: "stop" | "pause",
    private readonly timeoutMs: number,
    private readonly pollMs: number,
  ) {
    this.actions =
      how === "pause"
        ? { down: "pause", up: "unpause", downStatus: "PAUSED" }
        : { down: "os-stop", up: "os-start", downStatus: "SHUTOFF" };
  }

  /** The Nova servers of `vms`; refuses a VM Nova lacks or places on another host. */
  static async resolve(
    nova: () => Promise<NovaLike>,
    host: string,
    vms: readonly PlannedVm[],
    how: "stop" | "pause",
    timeoutMs: number,
    pollMs: number,
  ): Promise<HostVms> {
    const client = vms.length > 0 ? await nova() : undefined;
    const servers: (ServerState & { cluster: string })[] = [];
    for (const vm of vms) {
      const s = await (client as NovaLike).findServer(vm.name);
      if (!s)
        throw new DrillError(`refused: Nova has no server named ${vm.name} (placed on ${host})`);
      if (s.host !== undefined && s.host !== host)
        throw new DrillError(
          `refused: VM ${vm.name} runs on ${s.host}, not on ${host} where the placement put it; stopping it would not take ${host} out`,
        );
      servers.push({ ...s, cluster: vm.cluster });
    }
    return new HostVms(client, servers, how, timeoutMs, pollMs);
  }

  get downStatus(): string {
    return this.actions.downStatus;
  }

  private async wait(
    ids: readonly string[],
    want: string,
    watch: Map<string, number>,
    t0: number,
  ): Promise<string[]> {
    const end = t0 + this.timeoutMs;
    for (;;) {
      for (const id of ids) {
        if (watch.has(id)) continue;
        const s = await (this.nova as NovaLike).server(id).catch(() => undefined);
        if (s) this.status.set(id, s.status);
        if (s?.status === want) watch.set(id, Date.now() - t0);
      }
      if (ids.every((id) => watch.has(id)) || Date.now() > end)
        return ids.filter((id) => !watch.has(id));
      await sleep(Math.min(this.pollMs, 1000));
    }
  }

  /** Stops (pauses) every VM; returns `name (status)` of those that did not get there in time. */
  async takeDown(): Promise<string[]> {
    const t0 = Date.now();
    for (const s of this.servers) await (this.nova as NovaLike).action(s.id, this.actions.down);
    const stuck = await this.wait(
      this.servers.map((s) => s.id),
      this.actions.downStatus,
      this.stopped,
      t0,
    );
    return this.servers
      .filter((s) => stuck.includes(s.id))
      .map((s) => `${s.name} (${this.status.get(s.id) ?? "?"})`);
  }

  /** Starts every VM that went down; problems for those that do not come back ACTIVE. */
  async bringBack(): Promise<string[]> {
    const problems: string[] = [];
    const t0 = Date.now();
    const down = this.servers.filter(
      (s) => this.stopped.has(s.id) || this.status.get(s.id) === this.actions.downStatus,
    );
    for (const s of down)
      await (this.nova as NovaLike)
        .action(s.id, this.actions.up)
        .catch((e: Error) => problems.push(`${this.actions.up} ${s.name}: ${e.message}`));
    const notBack =
      down.length === 0
        ? []
        : await this.wait(
            down.map((s) => s.id),
            "ACTIVE",
            this.started,
            t0,
          );
    for (const id of notBack)
      problems.push(
        `VM ${this.servers.find((s) => s.id === id)?.name} is not ACTIVE again (${this.status.get(id)})`,
      );
    return problems;
  }

  records(): VmRecord[] {
    return this.servers.map((s) => ({
      name: s.name,
      id: s.id,
      cluster: s.cluster,
      ...(this.stopped.has(s.id) ? { stoppedAfter: secs(this.stopped.get(s.id) as number) } : {}),
      ...(this.started.has(s.id) ? { startedAfter: secs(this.started.get(s.id) as number) } : {}),
      finalStatus: this.status.get(s.id) ?? s.status,
    }));
  }
}
