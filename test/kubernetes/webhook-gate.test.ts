// The webhook gate's objects (pure), and that each chart with a failurePolicy-Fail webhook gets a
// gate whose probe is a valid object of a kind that webhook really covers.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  chartRevision,
  GATES_WEBHOOKS_ANNOTATION,
  KUBECTL_IMAGE,
  webhookGateObjects,
} from "../../components/kubernetes/webhook-gate-spec";
import { METALLB_WEBHOOK, webhookProbePool } from "../../components/ingress/metallb-spec";
import {
  CERT_MANAGER_WEBHOOK,
  webhookProbeIssuer,
} from "../../components/ingress/cert-manager-spec";
import { CNPG_WEBHOOKS, webhookProbeCluster } from "../../components/postgres/operator-values";
import { SHARED_DIR, validateObject } from "../support/upstream-schemas";

const gate = webhookGateObjects({
  name: "metallb-webhook",
  namespace: "metallb-system",
  webhooks: [METALLB_WEBHOOK],
  probe: webhookProbePool(),
  resource: "ipaddresspools",
  revision: "abc",
});

describe("webhookGateObjects", () => {
  test("a Job dry-running the probe with kubectl, annotated with the webhooks it proves", () => {
    const job = gate.job;
    expect(job.metadata.annotations).toEqual({
      [GATES_WEBHOOKS_ANNOTATION]: "ValidatingWebhookConfiguration/metallb-webhook-configuration",
      "pulumi.com/timeoutSeconds": "1020",
    });
    const pod = (job.spec.template as { spec: { containers: Record<string, unknown>[] } }).spec;
    expect(pod.containers[0].image).toBe(KUBECTL_IMAGE);
    expect(pod.containers[0].args).toEqual(
      expect.arrayContaining(["create", "--dry-run=server", "-f", "/probe/probe.yaml"]),
    );
    expect(job.spec.activeDeadlineSeconds).toBe(900);
    // The probe lands in the gate's namespace and is never stored (dry run only).
    const probe = parse(gate.configMap.data["probe.yaml"]);
    expect(probe).toEqual({
      ...webhookProbePool(),
      metadata: { name: "webhook-gate-probe", namespace: "metallb-system" },
    });
  });

  test("the service account may create only the probe's resource, in its own namespace", () => {
    expect(gate.role.rules).toEqual([
      { apiGroups: ["metallb.io"], resources: ["ipaddresspools"], verbs: ["create"] },
    ]);
    expect(gate.roleBinding.subjects).toEqual([
      { kind: "ServiceAccount", name: "metallb-webhook-gate", namespace: "metallb-system" },
    ]);
  });

  // Every object's schema is checked with the whole plan (test/plan/upstream-schemas.test.ts).
  test("the pod meets `restricted` Pod Security, so it runs in any chart's namespace", () => {
    const pod = (gate.job.spec.template as { spec: Record<string, any> }).spec; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  test("a new chart revision changes the pod template (the Job is replaced and proves again)", () => {
    const a = chartRevision("metallb", "0.16.1", { x: 1 });
    expect(chartRevision("metallb", "0.16.1", { x: 1 })).toBe(a);
    expect(chartRevision("metallb", "0.16.2", { x: 1 })).not.toBe(a);
    expect(chartRevision("metallb", "0.16.1", { x: 2 })).not.toBe(a);
  });

  test("refuses a gate that proves nothing", () => {
    expect(() =>
      webhookGateObjects({
        name: "x",
        namespace: "y",
        webhooks: [],
        probe: webhookProbePool(),
        resource: "ipaddresspools",
        revision: "r",
      }),
    ).toThrow("webhook gate x: no webhooks");
  });
});

/** Webhook configurations of a chart's templates, read as text (names are literal there). */
function webhookRules(chartDir: string, file: string): { name: string; resources: string[] } {
  const text = fs.readFileSync(
    path.join(SHARED_DIR, "charts", chartDir, "templates", file),
    "utf8",
  );
  const name = /^\s{2}name:\s*(\S+)/m.exec(text)![1];
  const resources = [...text.matchAll(/^\s+-\s+([a-z]+)\s*$/gm)].map((m) => m[1]);
  return { name, resources };
}

describe("each gate's probe is guarded by the webhook it names, and is a valid object", () => {
  test.each([
    [
      "metallb",
      METALLB_WEBHOOK,
      webhookProbePool(),
      "metallb-0.16.1",
      "webhooks.yaml",
      "ipaddresspools",
    ],
    [
      "cnpg validating",
      CNPG_WEBHOOKS[1],
      webhookProbeCluster(),
      "cloudnative-pg-0.29.0",
      "validatingwebhookconfiguration.yaml",
      "clusters",
    ],
    [
      "cnpg mutating",
      CNPG_WEBHOOKS[0],
      webhookProbeCluster(),
      "cloudnative-pg-0.29.0",
      "mutatingwebhookconfiguration.yaml",
      "clusters",
    ],
  ])("%s", (_label, webhook, probe, chartDir, file, resource) => {
    const rules = webhookRules(chartDir, file);
    expect(webhook).toBe(`${webhook.split("/")[0]}/${rules.name}`);
    expect(rules.resources).toContain(resource);
    expect(validateObject({ ...probe, metadata: { ...probe.metadata, namespace: "ns" } })).toEqual(
      [],
    );
  });

  test("cert-manager: the validating webhook covers every cert-manager.io kind (Issuer among them)", () => {
    const text = fs.readFileSync(
      path.join(
        SHARED_DIR,
        "charts/cert-manager-v1.21.1/templates/webhook-validating-webhook.yaml",
      ),
      "utf8",
    );
    expect(text).toContain('- "cert-manager.io"');
    expect(text).toMatch(/resources:\s*\n\s*- "\*\/\*"/);
    expect(CERT_MANAGER_WEBHOOK).toBe("ValidatingWebhookConfiguration/cert-manager-webhook");
    const probe = webhookProbeIssuer();
    expect(validateObject({ ...probe, metadata: { ...probe.metadata, namespace: "ns" } })).toEqual(
      [],
    );
  });
});
