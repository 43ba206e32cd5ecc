// The state of a fake Kubernetes cluster behind test/support/fake-kube-api.ts: objects kept in
// memory and served the way the API server does for the calls the site tools make — GET of an
// object or a list (with equality label selectors), POST (409 AlreadyExists), DELETE, and a pod's
// log. Tests put the recorded answers (nodes, pods, CNPG Clusters…) in and read the writes out.
import { FakeRequest, RecordedAnswer, status } from "./fake-kube-api";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Kind {
  readonly prefix: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** `/api/v1` or `/apis/<group>/<version>` + plural, parsed from a path. */
function parsePath(
  path: string,
): { kind: Kind; namespace?: string; name?: string; sub?: string } | undefined {
  const m =
    /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(
      path,
    );
  if (!m) return undefined;
  const [, prefix, namespace, plural, name, sub] = m;
  // `/api/v1/namespaces/<name>` is the Namespace itself.
  if (plural === undefined) return undefined;
  return {
    kind: { prefix, plural, namespaced: namespace !== undefined },
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(sub !== undefined ? { sub } : {}),
  };
}

function matches(labels: Obj | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [k, v] = term.split("=");
    return (labels ?? {})[k] === v;
  });
}

export class FakeCluster {
  /** `<prefix>|<plural>` → objects. */
  private readonly objects = new Map<string, Obj[]>();
  /** Pod logs by `<namespace>/<pod>`. */
  readonly logs = new Map<string, string>();
  /** Called after every write, so a test can move the state on (e.g. a Cluster becoming ready). */
  onWrite?: (req: FakeRequest) => void;

  private list(prefix: string, plural: string): Obj[] {
    const key = `${prefix}|${plural}`;
    if (!this.objects.has(key)) this.objects.set(key, []);
    return this.objects.get(key)!;
  }

  /** Adds (or replaces) an object; `prefix` is `/api/v1` or `/apis/<group>/<version>`. */
  put(prefix: string, plural: string, obj: Obj): void {
    const list = this.list(prefix, plural);
    const i = list.findIndex(
      (o) =>
        o.metadata?.name === obj.metadata?.name &&
        o.metadata?.namespace === obj.metadata?.namespace,
    );
    if (i >= 0) list[i] = obj;
    else list.push(obj);
  }

  get(
    prefix: string,
    plural: string,
    namespace: string | undefined,
    name: string,
  ): Obj | undefined {
    return this.list(prefix, plural).find(
      (o) => o.metadata?.name === name && o.metadata?.namespace === namespace,
    );
  }

  all(prefix: string, plural: string): Obj[] {
    return [...this.list(prefix, plural)];
  }

  remove(prefix: string, plural: string, namespace: string | undefined, name: string): boolean {
    const list = this.list(prefix, plural);
    const i = list.findIndex(
      (o) => o.metadata?.name === name && o.metadata?.namespace === namespace,
    );
    if (i < 0) return false;
    list.splice(i, 1);
    // Deleting a namespace deletes what is in it.
    if (prefix === "/api/v1" && plural === "namespaces")
      for (const objs of this.objects.values())
        for (let j = objs.length - 1; j >= 0; j--)
          if (objs[j].metadata?.namespace === name) objs.splice(j, 1);
    return true;
  }

  /** The `route` function for startFakeKubeApi. */
  readonly route = (req: FakeRequest): RecordedAnswer | undefined => {
    // A Namespace by name: `/api/v1/namespaces/<name>`.
    const nsMatch = /^\/api\/v1\/namespaces(?:\/([^/]+))?$/.exec(req.path);
    const p = nsMatch
      ? {
          kind: { prefix: "/api/v1", plural: "namespaces", namespaced: false },
          ...(nsMatch[1] !== undefined ? { name: nsMatch[1] } : {}),
        }
      : parsePath(req.path);
    if (!p) return undefined;
    const { prefix, plural } = p.kind;
    const namespace = "namespace" in p ? p.namespace : undefined;
    const notFound = () => status(404, "NotFound", `${plural} "${p.name ?? ""}" not found`);
    if ("sub" in p && p.sub === "log" && req.method === "GET") {
      const log = this.logs.get(`${namespace}/${p.name}`);
      return log === undefined ? notFound() : { status: 200, body: log };
    }
    if (req.method === "GET") {
      if (p.name !== undefined) {
        const o = this.get(prefix, plural, namespace, p.name);
        return o ? { status: 200, body: o } : notFound();
      }
      const items = this.list(prefix, plural).filter(
        (o) =>
          (namespace === undefined || o.metadata?.namespace === namespace) &&
          matches(o.metadata?.labels, req.query.get("labelSelector")),
      );
      return { status: 200, body: { kind: "List", apiVersion: "v1", metadata: {}, items } };
    }
    if (req.method === "POST" && p.name === undefined) {
      const body = req.body as Obj;
      const name = body?.metadata?.name as string;
      if (this.get(prefix, plural, namespace, name))
        return status(409, "AlreadyExists", `${plural} "${name}" already exists`);
      const obj = {
        ...body,
        metadata: {
          ...body.metadata,
          ...(namespace !== undefined ? { namespace } : {}),
          uid: `uid-${name}`,
          creationTimestamp: new Date().toISOString(),
        },
      };
      this.put(prefix, plural, obj);
      this.onWrite?.(req);
      return { status: 201, body: obj };
    }
    if (req.method === "DELETE" && p.name !== undefined) {
      const o = this.get(prefix, plural, namespace, p.name);
      if (!o) return notFound();
      this.remove(prefix, plural, namespace, p.name);
      this.onWrite?.(req);
      return { status: 200, body: { kind: "Status", apiVersion: "v1", status: "Success" } };
    }
    return undefined;
  };
}
