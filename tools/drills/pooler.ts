// How a drill reaches a database the way its applications do: through the read-write PgBouncer
// pooler. From a workstation the pooler's Service is not routable, so every new connection goes
// through a Kubernetes port-forward to one of the pooler pods that are ready at that moment (as a
// Service would pick), as the database owner (its basic-auth Secret, kept in memory only).
import { Client } from "pg";
import { POSTGRES_PORT } from "../../components/postgres/names";
import { DrillKube } from "./kube";
import { DatabaseRef, DrillError } from "./stack";
import { Connect } from "./writer";

export interface PoolerAccess {
  readonly connect: Connect;
  close(): Promise<void>;
}

export async function poolerAccess(
  kube: DrillKube,
  db: DatabaseRef,
  timeoutMs: number,
): Promise<PoolerAccess> {
  const { namespace, ownerSecret, poolerRw } = db.names;
  const secret = await kube.secret(namespace, ownerSecret).catch((e: Error) => {
    throw new DrillError(`cannot read the owner Secret ${namespace}/${ownerSecret}: ${e.message}`);
  });
  if (!secret.username || !secret.password)
    throw new DrillError(`Secret ${namespace}/${ownerSecret} has no username/password`);
  let turn = 0;
  const pickPod = async (): Promise<string> => {
    const ready = (await kube.pods(namespace, `cnpg.io/poolerName=${poolerRw}`))
      .filter((p) => p.ready)
      .map((p) => p.name)
      .sort();
    if (ready.length === 0) throw new Error(`no ready pod of pooler ${poolerRw}`);
    return ready[turn++ % ready.length];
  };
  const forward = await kube.forward(namespace, pickPod, POSTGRES_PORT);
  const connect: Connect = async () => {
    const c = new Client({
      host: "127.0.0.1",
      port: forward.port,
      user: secret.username,
      password: secret.password,
      database: db.config.database,
      connectionTimeoutMillis: timeoutMs,
      application_name: "plant-drill",
    });
    c.on("error", () => undefined);
    await c.connect();
    return c;
  };
  return { connect, close: () => forward.close() };
}
