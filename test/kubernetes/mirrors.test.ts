// The node side of plant:mirrors: registries.yaml as RKE2 reads it, the mirror layout of the
// release files, and the fetch script run for real against a mirror on 127.0.0.1.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import {
  artifactFiles,
  artifactsDirUrl,
  fetchScript,
  registriesYaml,
  rke2Mirrors,
} from "../../components/kubernetes/rke2-mirrors";
import { parseSite, readStackFile } from "../../config/site";
import { PROJECT_DIR } from "../../tools/plan/run";
import { registriesFileOf } from "../../tools/registries";

describe("registries.yaml", () => {
  const registries = [
    {
      registry: "docker.io",
      endpoints: ["https://cache.example.com:5000", "https://b.example.com"],
    },
    {
      registry: "ghcr.io",
      endpoints: ["https://harbor.example.com/v2/ghcr", "http://plain.example.com:8080"],
      rewrite: { "^(.*)$": "ghcr-proxy/$1" },
    },
  ];

  test("one mirror per registry, endpoints in pull order, no configs without a CA", () => {
    expect(parse(registriesYaml({ images: false, registries }))).toEqual({
      mirrors: {
        "docker.io": { endpoint: ["https://cache.example.com:5000", "https://b.example.com"] },
        "ghcr.io": {
          endpoint: ["https://harbor.example.com/v2/ghcr", "http://plain.example.com:8080"],
          rewrite: { "^(.*)$": "ghcr-proxy/$1" },
        },
      },
    });
  });

  test("with a CA: a tls.ca_file per https mirror host (host:port), none for http", () => {
    const doc = parse(registriesYaml({ images: false, registries, caCertificate: "pem" })) as {
      configs: Record<string, unknown>;
    };
    expect(doc.configs).toEqual({
      "cache.example.com:5000": { tls: { ca_file: "/etc/rancher/rke2/mirror-ca.pem" } },
      "b.example.com": { tls: { ca_file: "/etc/rancher/rke2/mirror-ca.pem" } },
      "harbor.example.com": { tls: { ca_file: "/etc/rancher/rke2/mirror-ca.pem" } },
    });
  });

  test("the same mirrors in another order give the same text", () => {
    expect(registriesYaml({ images: false, registries: [...registries].reverse() })).toBe(
      registriesYaml({ images: false, registries }),
    );
  });

  test("nodes need mirrors only for RKE2 files or registries", () => {
    expect(rke2Mirrors({ registries: [], caCertificate: "pem" })).toBeUndefined();
    expect(rke2Mirrors({ registries })).toEqual({ images: false, registries });
    expect(
      rke2Mirrors({
        rke2: { artifactsUrl: "https://m.example.com", images: true },
        registries: [],
      }),
    ).toEqual({ artifactsUrl: "https://m.example.com", images: true, registries: [] });
  });
});

describe("the release files on the mirror", () => {
  test("laid out like GitHub's release downloads: <base>/<version with + as %2B>/<file>", () => {
    expect(artifactsDirUrl("https://m.example.com/rke2", "v1.36.5+rke2r1")).toBe(
      "https://m.example.com/rke2/v1.36.5%2Brke2r1",
    );
    // The names install.sh reads from INSTALL_RKE2_ARTIFACT_PATH (stage_local_checksums,
    // stage_local_tarball, stage_local_airgap_tarball), the installer itself first.
    expect(artifactFiles(true)).toEqual([
      "install.sh",
      "sha256sum-amd64.txt",
      "rke2.linux-amd64.tar.gz",
      "rke2-images.linux-amd64.tar.zst",
    ]);
    expect(artifactFiles(false)).toEqual(artifactFiles(true).slice(0, 3));
  });

  describe("the fetch script against a mirror on 127.0.0.1", () => {
    const files: Record<string, string> = {
      "install.sh": "#!/bin/sh\necho installer\n",
      "sha256sum-amd64.txt": "abc  rke2.linux-amd64.tar.gz\n",
      "rke2.linux-amd64.tar.gz": "tarball",
      "rke2-images.linux-amd64.tar.zst": "images",
    };
    const requested: string[] = [];
    let missing = "";
    let base = "";
    const server = http.createServer((req, res) => {
      requested.push(req.url ?? "");
      const prefix = "/rke2/v1.36.5%2Brke2r1/";
      const name = (req.url ?? "").startsWith(prefix) ? (req.url ?? "").slice(prefix.length) : "";
      if (name in files && name !== missing) res.end(files[name]);
      else res.writeHead(404).end();
    });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plant-fetch-"));

    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rke2`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Runs the script (asynchronously: the mirror answers from this process). */
    function run(images: boolean, dest: string): Promise<{ status: number | null }> {
      const script = path.join(tmp, "fetch.sh");
      fs.writeFileSync(script, fetchScript(base, "v1.36.5+rke2r1", images), { mode: 0o700 });
      requested.length = 0;
      return new Promise((resolve, reject) => {
        const child = spawn("bash", [script, dest], { stdio: "ignore", timeout: 20000 });
        child.on("error", reject);
        child.on("close", (status) => resolve({ status }));
      });
    }

    test("downloads every file, byte for byte, from the version's directory", async () => {
      const dest = path.join(tmp, "all");
      const r = await run(true, dest);
      expect(r.status).toBe(0);
      expect(requested).toEqual(artifactFiles(true).map((f) => `/rke2/v1.36.5%2Brke2r1/${f}`));
      for (const [name, content] of Object.entries(files))
        expect(fs.readFileSync(path.join(dest, name), "utf8")).toBe(content);
    });

    test("without images the image tarball is not requested", async () => {
      const dest = path.join(tmp, "noimages");
      expect((await run(false, dest)).status).toBe(0);
      expect(requested).not.toContain("/rke2/v1.36.5%2Brke2r1/rke2-images.linux-amd64.tar.zst");
      expect(fs.readdirSync(dest).sort()).toEqual(artifactFiles(false).sort());
    });

    test("a file missing on the mirror fails the boot script (curl -f, set -e)", async () => {
      missing = "sha256sum-amd64.txt";
      try {
        const r = await run(true, path.join(tmp, "missing"));
        expect(r.status).not.toBe(0);
        expect(requested[requested.length - 1]).toBe("/rke2/v1.36.5%2Brke2r1/sha256sum-amd64.txt");
      } finally {
        missing = "";
      }
    });
  });
});

describe("npm run registries (for the nodes of existing clusters)", () => {
  const fixture = path.join(PROJECT_DIR, "test/fixtures/mirrors/Pulumi.avilla.yaml");

  test("prints the registries.yaml new nodes get, saying where it and the CA go", () => {
    const text = registriesFileOf("avilla", fixture);
    const mirrors = rke2Mirrors(parseSite("avilla", readStackFile(fixture)).mirrors);
    expect(mirrors).toBeDefined();
    expect(text.split("\n").slice(0, 3)).toEqual([
      "# /etc/rancher/rke2/registries.yaml (k3s: /etc/rancher/k3s/registries.yaml) for stack 'avilla',",
      "# from plant:mirrors.registries; restart rke2-server/rke2-agent (k3s/k3s-agent) after writing it.",
      "# Needs /etc/rancher/rke2/mirror-ca.pem (plant:mirrors.caCertificate) on the node too.",
    ]);
    expect(text.endsWith(registriesYaml(mirrors!))).toBe(true);
  });

  test("a stack without registry mirrors is answered with a keyed error", () => {
    expect(() => registriesFileOf("avilla")).toThrow(
      "Stack 'avilla' has invalid configuration:\n  - [plant:mirrors.registries] is not set: there is no registries.yaml to write",
    );
  });
});
