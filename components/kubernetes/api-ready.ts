// Waits, during `pulumi up`, until a new cluster's API answers /readyz through the VIP with the
// admin certificate. Without it the k8s.Provider would be used minutes before RKE2 has booted.
import * as pulumi from "@pulumi/pulumi";

export interface ApiServerReadyArgs {
  /** https://<api-vip>:6443 */
  readonly server: pulumi.Input<string>;
  readonly caCertPem: pulumi.Input<string>;
  readonly clientCertPem: pulumi.Input<string>;
  /** Secret. */
  readonly clientKeyPem: pulumi.Input<string>;
  /** Instance ids: a replaced server makes the gate wait again. */
  readonly instanceIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Default 1800 (first boot downloads RKE2 and its images). */
  readonly timeoutSeconds?: number;
}

export interface GateInputs {
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  instanceIds: string[];
  timeoutSeconds: number;
}

// Self-contained (serialized into the state by the dynamic provider): no outer references.
export async function waitForReadyz(inputs: GateInputs): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const https = require("https") as typeof import("https");
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  const probe = () =>
    new Promise<number>((resolve) => {
      const req = https.get(
        `${inputs.server}/readyz`,
        {
          ca: inputs.caCertPem,
          cert: inputs.clientCertPem,
          key: inputs.clientKeyPem,
          timeout: 10000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(0));
    });
  for (;;) {
    if ((await probe()) === 200) return;
    // Retries every 10 s, never past the deadline.
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(`${inputs.server}/readyz did not answer 200 in ${inputs.timeoutSeconds}s`);
    await new Promise((r) => setTimeout(r, Math.min(10000, left)));
  }
}

export const gateProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: GateInputs) {
    await waitForReadyz(inputs);
    return { id: inputs.server, outs: inputs };
  },
  async diff(_id: string, olds: GateInputs, news: GateInputs) {
    const changed =
      JSON.stringify(olds.instanceIds) !== JSON.stringify(news.instanceIds) ||
      olds.server !== news.server;
    return { changes: changed };
  },
  async update(_id: string, _olds: GateInputs, news: GateInputs) {
    await waitForReadyz(news);
    return { outs: news };
  },
};

export class ApiServerReady extends pulumi.dynamic.Resource {
  constructor(name: string, args: ApiServerReadyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      gateProvider,
      name,
      {
        ...args,
        clientKeyPem: pulumi.secret(args.clientKeyPem),
        timeoutSeconds: args.timeoutSeconds ?? 1800,
      },
      { ...opts, additionalSecretOutputs: ["clientKeyPem"] },
    );
  }
}
