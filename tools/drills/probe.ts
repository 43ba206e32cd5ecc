// The host-loss drill's probe loop: every configured route requested through its cluster's static
// IP (TLS with the route's host name as SNI and Host, trusting the site CA), over and over. A
// route is served when it answers with a status below 500; a refused connection, a time-out, a TLS
// failure or a 5xx (the gateway has no backend) is a failed request. Failures become outage
// streaks per route (outage.ts).
import * as http from "http";
import * as https from "https";
import { SiteConfig, fqdn } from "../../config/site";
import { OutageClock, OutageSummary } from "./outage";

export interface Route {
  /** `reports1.busche-cnc.com/gauges`: host name and path prefix. */
  readonly name: string;
  readonly cluster: string;
  readonly service: string;
  readonly ip: string;
  readonly port: number;
  readonly hostname: string;
  readonly path: string;
  readonly protocol: "https" | "http";
}

/** Every route of every service, through the static IP that carries its host name. Pure. */
export function configuredRoutes(site: SiteConfig): Route[] {
  const routes: Route[] = [];
  for (const svc of site.services) {
    const cluster = site.clusters.find((c) => c.name === svc.cluster);
    for (const r of svc.routes) {
      const hostname = fqdn(r.hostname, site.site.domain);
      const address = cluster?.ingress?.addresses.find((a) =>
        a.hostnames.some((h) => fqdn(h, site.site.domain) === hostname),
      );
      if (!address) continue;
      routes.push({
        name: `${hostname}${r.pathPrefix}`,
        cluster: svc.cluster,
        service: svc.name,
        ip: address.ip,
        port: 443,
        hostname,
        path: r.pathPrefix,
        protocol: "https",
      });
    }
  }
  return routes.sort((a, b) => a.name.localeCompare(b.name));
}

export interface ProbeOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  /** CA bundle per cluster (the site CA); undefined: the system's. */
  readonly ca?: (cluster: string) => string | undefined;
  readonly now?: () => number;
  readonly onChange?: (route: Route, failing: boolean, detail: string) => void;
}

/** One request; resolves to "" when served, otherwise why not. */
export function probeOnce(route: Route, timeoutMs: number, ca?: string): Promise<string> {
  return new Promise((resolve) => {
    const options: https.RequestOptions = {
      host: route.ip,
      port: route.port,
      path: route.path,
      method: "GET",
      timeout: timeoutMs,
      headers: { Host: route.hostname, "User-Agent": "plant-drill" },
      agent: false,
      ...(route.protocol === "https" ? { servername: route.hostname, ...(ca ? { ca } : {}) } : {}),
    };
    const req = (route.protocol === "https" ? https : http).request(options, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code < 500 ? "" : `HTTP ${code}`);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) =>
      resolve(e.code ? `${e.code}: ${e.message}` : e.message),
    );
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ProbeLoop {
  private readonly clocks: Map<string, OutageClock>;
  private stopping = false;
  private running?: Promise<void>;
  private readonly now: () => number;

  constructor(
    readonly routes: readonly Route[],
    private readonly options: ProbeOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.clocks = new Map(routes.map((r) => [r.name, new OutageClock()]));
  }

  /** One round: every route once, in parallel. */
  async round(): Promise<void> {
    const timeout = this.options.timeoutMs ?? 2000;
    await Promise.all(
      this.routes.map(async (r) => {
        const why = await probeOnce(r, timeout, this.options.ca?.(r.cluster));
        const clock = this.clocks.get(r.name) as OutageClock;
        const was = clock.failing;
        clock.record(why === "", this.now(), why);
        if (was !== clock.failing)
          this.options.onChange?.(
            r,
            clock.failing,
            why === "" ? "served again" : `failing: ${why}`,
          );
      }),
    );
  }

  start(): void {
    const interval = this.options.intervalMs ?? 500;
    this.running ??= (async () => {
      while (!this.stopping) {
        const began = this.now();
        await this.round();
        await sleep(Math.max(0, interval - (this.now() - began)));
      }
    })();
  }

  /** Every route has been asked, and answered its latest request. */
  get allServed(): boolean {
    return [...this.clocks.values()].every((c) => c.attempted > 0 && !c.failing);
  }

  failing(): string[] {
    return this.routes.filter((r) => this.clocks.get(r.name)?.failing).map((r) => r.name);
  }

  async stop(): Promise<Map<string, OutageSummary>> {
    this.stopping = true;
    await this.running;
    return this.summaries();
  }

  summaries(): Map<string, OutageSummary> {
    const end = this.now();
    return new Map([...this.clocks].map(([k, c]) => [k, c.summary(end)]));
  }
}
