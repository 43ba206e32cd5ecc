// How the drill reaches the scratch primary from an engineer's machine: a local port forwarded
// to the pod's 5432 through the Kubernetes API (the kept client's PortForward), and `pg` on
// 127.0.0.1. The tunnel is the API server's TLS connection, so pg itself does not add TLS.
import * as k8s from "@kubernetes/client-node";
import * as net from "net";
import { Client } from "pg";
import { Connector } from "./restore";

export function portForwardConnector(config: k8s.KubeConfig, timeoutMs: number): Connector {
  return async (t) => {
    const forward = new k8s.PortForward(config);
    const server = net.createServer((socket) => {
      forward
        .portForward(t.namespace, t.pod, [5432], socket, null, socket)
        .catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const client = new Client({
      host: "127.0.0.1",
      port,
      database: t.database,
      user: t.user,
      password: t.password,
      connectionTimeoutMillis: timeoutMs,
    });
    try {
      await client.connect();
    } catch (e) {
      server.close();
      throw e;
    }
    return {
      client,
      close: async () => {
        await client.end().catch(() => undefined);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  };
}
