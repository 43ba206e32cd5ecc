// The identities the program acts as (components/openstack/identity-plan.ts): who gets which
// roles, and the OS_* variables that would redirect the providers, refused before anything exists.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE, readStackFile, SiteConfigError } from "../../config";
import {
  IDENTITY_ENV_VARS,
  identityEnvironmentProblems,
  planIdentities,
} from "../../components/openstack/identity-plan";
import { prepareSite } from "../../program";
import { PROJECT_DIR } from "../../tools/plan/run";
import { rawStack, siteOf } from "./harness";

function withIdentity(identity: Record<string, unknown>) {
  const raw = rawStack("avilla");
  return siteOf("avilla", {
    ...raw,
    openstack: { ...(raw.openstack as Record<string, unknown>), identity },
  }).openstack;
}

describe("planIdentities", () => {
  test("defaults: the platform user gets member + swiftoperator, the backup user swiftoperator", () => {
    expect(planIdentities(siteOf("avilla").openstack)).toEqual({
      platform: { userName: "plant-reporting-platform", roles: ["member", "swiftoperator"] },
      backup: { userName: "plant-reporting-backup", roles: ["swiftoperator"] },
    });
  });

  test.each<[string, Record<string, unknown>, string[], string[]]>([
    [
      "a cloud whose Swift operator role is its own",
      { platformRoles: ["member"], objectStoreRoles: ["objectstore-operator"] },
      ["member", "objectstore-operator"],
      ["objectstore-operator"],
    ],
    [
      "several platform roles (e.g. Octavia's)",
      { platformRoles: ["member", "load-balancer_member"], objectStoreRoles: ["swiftoperator"] },
      ["member", "load-balancer_member", "swiftoperator"],
      ["swiftoperator"],
    ],
    [
      "an object-store role the platform already holds (any case) is not granted twice",
      { platformRoles: ["SwiftOperator", "member"], objectStoreRoles: ["ResellerReader"] },
      ["SwiftOperator", "member", "ResellerReader"],
      ["ResellerReader"],
    ],
  ])("%s", (_name, identity, platform, backup) => {
    const plan = planIdentities(withIdentity(identity));
    expect(plan.platform.roles).toEqual(platform);
    expect(plan.backup.roles).toEqual(backup);
  });

  test("an explicit auth URL is carried; none means the catalog lookup", () => {
    const authUrl = "https://keystone.avilla.busche-cnc.com:5000/v3";
    expect(planIdentities(withIdentity({ authUrl })).authUrl).toBe(authUrl);
    expect(planIdentities(siteOf("avilla").openstack)).not.toHaveProperty("authUrl");
  });
});

describe("identityEnvironmentProblems", () => {
  test("a clean environment, or only region/CA/endpoint-type variables, is fine", () => {
    expect(identityEnvironmentProblems({}, "avilla")).toEqual([]);
    expect(
      identityEnvironmentProblems(
        {
          OS_REGION_NAME: "RegionOne",
          OS_CACERT: "/etc/ssl/plant-ca.pem",
          OS_INSECURE: "false",
          OS_ENDPOINT_TYPE: "public",
          OS_CLOUD: "",
          PATH: "/usr/bin",
        },
        "avilla",
      ),
    ).toEqual([]);
  });

  test("OS_CLOUD: named, with why and what to do", () => {
    expect(identityEnvironmentProblems({ OS_CLOUD: "avilla" }, "avilla")).toEqual([
      {
        key: "environment OS_CLOUD",
        message:
          "is set: the OpenStack provider then takes every credential and project from that clouds.yaml entry, so the platform project's provider would act as the admin in the admin project; unset it (the admin entry is named by plant:openstack.cloud, 'avilla')",
      },
    ]);
  });

  test.each(IDENTITY_ENV_VARS.filter((v) => v !== "OS_CLOUD").map((v) => [v]))(
    "%s is refused",
    (name) => {
      expect(identityEnvironmentProblems({ [name]: "x" }, "albion")).toEqual([
        {
          key: `environment ${name}`,
          message:
            "is set: the OpenStack provider fills unset credential and scope fields from it, which changes whom the platform project's provider authenticates as; unset it (credentials come from clouds.yaml entry 'albion' and from the program)",
        },
      ]);
    },
  );

  test("a sourced openrc file: every identity variable is named", () => {
    const openrc = {
      OS_AUTH_URL: "https://keystone:5000/v3",
      OS_USERNAME: "admin",
      OS_PASSWORD: "secret",
      OS_PROJECT_NAME: "admin",
      OS_USER_DOMAIN_NAME: "Default",
      OS_PROJECT_DOMAIN_NAME: "Default",
      OS_REGION_NAME: "RegionOne",
      OS_IDENTITY_API_VERSION: "3",
    };
    expect(identityEnvironmentProblems(openrc, "avilla").map((p) => p.key)).toEqual([
      "environment OS_AUTH_URL",
      "environment OS_USERNAME",
      "environment OS_PASSWORD",
      "environment OS_PROJECT_NAME",
      "environment OS_USER_DOMAIN_NAME",
      "environment OS_PROJECT_DOMAIN_NAME",
    ]);
  });
});

test("the PR workflow's real preview sets no identity variable (it would be refused)", () => {
  const file = path.join(PROJECT_DIR, ".github/workflows/pull-request.yml");
  const envKeys: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "env" && value !== null && typeof value === "object")
          envKeys.push(...Object.keys(value));
        walk(value);
      }
    }
  };
  walk(parseYaml(fs.readFileSync(file, "utf8")));
  expect(envKeys).toContain("PULUMI_CONFIG_PASSPHRASE");
  expect(envKeys.filter((k) => (IDENTITY_ENV_VARS as readonly string[]).includes(k))).toEqual([]);
});

describe("prepareSite refuses an identity environment before declaring anything", () => {
  let declared = 0;
  beforeAll(async () => {
    const raw = readStackFile(path.join(PROJECT_DIR, "Pulumi.avilla.yaml"));
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          declared++;
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "plant",
      "avilla",
      false,
    );
    pulumi.runtime.setAllConfig(
      Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, JSON.stringify(v)]),
      ),
      [],
    );
  });

  test("OS_CLOUD exported for the openstack CLI stops the run with the stack and the variable", () => {
    let error: unknown;
    try {
      prepareSite({ projectDir: PROJECT_DIR, offline: true, env: { OS_CLOUD: "avilla" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SiteConfigError);
    expect((error as Error).message).toMatch(
      /^Stack 'avilla' has invalid configuration:\n {2}- \[environment OS_CLOUD\] is set: /,
    );
    expect(declared).toBe(0);
  });

  test("without identity variables the site is prepared", () => {
    expect(
      prepareSite({ projectDir: PROJECT_DIR, offline: true, env: { OS_REGION_NAME: "RegionOne" } })
        .config.stack,
    ).toBe("avilla");
  });
});
