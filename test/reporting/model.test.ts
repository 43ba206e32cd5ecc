import { createHash } from "crypto";
import fc from "fast-check";
import {
  configChecksum,
  configMapData,
  dataPlaneNamespaces,
  migrationJobName,
  namespaceLabels,
  routeName,
  secretsVersion,
  serviceUrls,
} from "../../components/reporting/model";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const service = fc.stringMatching(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/);
const image = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{1,20}$/),
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/),
  )
  .map(([repo, tag]) => `registry.example/${repo}:${tag}`);

describe("migrationJobName", () => {
  const migration = {
    image: "registry.busche-cnc.com/reporting/report-db-migrations:2026.11.2",
    command: ["/app/migrate", "up"],
  };

  test("is the service name plus a 10-hex hash of image and command", () => {
    expect(migrationJobName("report-api", migration)).toMatch(/^report-api-migrate-[0-9a-f]{10}$/);
  });

  test("is stable for the same release and changes with the image or the command", () => {
    const name = migrationJobName("report-api", migration);
    expect(migrationJobName("report-api", { ...migration })).toBe(name);
    expect(
      migrationJobName("report-api", {
        ...migration,
        image: migration.image.replace("2026.11.2", "2026.11.3"),
      }),
    ).not.toBe(name);
    expect(
      migrationJobName("report-api", {
        ...migration,
        command: ["/app/migrate", "up", "--dry-run"],
      }),
    ).not.toBe(name);
  });

  test("property: a valid Job name (DNS label ≤ 63, usable as the job-name label) for any service and image", () => {
    fc.assert(
      fc.property(service, image, (s, img) => {
        const name = migrationJobName(s, { image: img, command: ["migrate"] });
        return name.length <= 63 && dnsLabel.test(name);
      }),
    );
  });

  test("property: different images give different names", () => {
    fc.assert(
      fc.property(image, image, (a, b) => {
        fc.pre(a !== b);
        return (
          migrationJobName("svc", { image: a, command: ["m"] }) !==
          migrationJobName("svc", { image: b, command: ["m"] })
        );
      }),
    );
  });
});

describe("checksums", () => {
  test("configChecksum ignores key order and changes with any value", () => {
    expect(configChecksum({ A: "1", B: "2" })).toBe(configChecksum({ B: "2", A: "1" }));
    expect(configChecksum({ A: "1", B: "2" })).not.toBe(configChecksum({ A: "1", B: "3" }));
    expect(configChecksum({ A: "1" })).toMatch(/^[0-9a-f]{64}$/);
  });

  test("secretsVersion is 16 hex characters, never the value, and changes when a secret rotates", () => {
    const v = secretsVersion({ "db/password": "hunter2-very-secret" });
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(v).not.toContain("hunter2");
    expect(secretsVersion({ "db/password": "hunter3-very-secret" })).not.toBe(v);
    // Domain-separated: not the plain SHA-256 of the value.
    const plain = createHash("sha256").update("hunter2-very-secret").digest("hex");
    expect(plain.startsWith(v)).toBe(false);
  });
});

describe("configMapData", () => {
  test.each([
    [{ env: { SITE: "avilla" }, secretFiles: [], database: undefined }, { SITE: "avilla" }],
    [
      { env: {}, secretFiles: ["token"], database: undefined },
      { APP_SECRETS_DIR: "/var/run/secrets/app" },
    ],
    [
      {
        env: { SITE: "x" },
        secretFiles: [],
        database: {
          dbname: "d",
          username: "u",
          host: "h",
          port: 5432,
          sslMode: "verify-full" as const,
          namespace: "n",
          poolerPodLabels: {},
        },
      },
      {
        SITE: "x",
        DB_CREDENTIALS_DIR: "/var/run/secrets/db",
        // libpq reads these itself: TLS verified against the database CA whatever the app does.
        PGSSLMODE: "verify-full",
        PGSSLROOTCERT: "/var/run/secrets/db/ca.crt",
      },
    ],
  ])("%j → %j (paths only, never values)", (plan, expected) => {
    expect(configMapData(plan)).toEqual(expected);
  });
});

test("only a namespace with routes carries the label the Gateways admit routes from", () => {
  expect(namespaceLabels("report-api", true)["plant.busche-cnc.com/gateway-routes"]).toBe("true");
  expect(namespaceLabels("report-api", false)).not.toHaveProperty(
    "plant.busche-cnc.com/gateway-routes",
  );
  expect(namespaceLabels("report-api")).not.toHaveProperty("plant.busche-cnc.com/gateway-routes");
});

test("namespace labels enforce, audit and warn the restricted profile at a pinned version", () => {
  expect(namespaceLabels("report-api")).toMatchObject({
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "v1.36",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  });
});

test("routeName and serviceUrls", () => {
  expect(routeName("report-api", "reports1.busche-cnc.com")).toBe("report-api-reports1");
  expect(
    serviceUrls([
      { fqdn: "reports1.busche-cnc.com", pathPrefix: "/" },
      { fqdn: "reports1.busche-cnc.com", pathPrefix: "/graphql" },
    ]),
  ).toEqual(["https://reports1.busche-cnc.com/", "https://reports1.busche-cnc.com/graphql"]);
});

describe("dataPlaneNamespaces", () => {
  const gw = (name: string, labels: Record<string, string>) => ({
    gateway: { namespace: "plant-gateways", name, dataPlaneNamespaceLabels: labels },
  });
  const envoy = { "kubernetes.io/metadata.name": "envoy-gateway-system" };
  test.each<[string, ReturnType<typeof gw>[], Record<string, string>[]]>([
    ["no route", [], []],
    ["one Gateway", [gw("reports", envoy)], [envoy]],
    ["two Gateways, one data-plane namespace", [gw("a", envoy), gw("b", { ...envoy })], [envoy]],
    [
      "the same labels in another key order count once",
      [gw("a", { x: "1", y: "2" }), gw("b", { y: "2", x: "1" })],
      [{ x: "1", y: "2" }],
    ],
    [
      "two data-plane namespaces, in route order",
      [gw("a", { ns: "edge" }), gw("b", envoy), gw("c", { ns: "edge" })],
      [{ ns: "edge" }, envoy],
    ],
  ])("%s", (_what, routes, expected) => {
    expect(dataPlaneNamespaces(routes)).toEqual(expected);
  });
});
