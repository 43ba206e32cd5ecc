// npm run registries -- <stack> [--config <Pulumi.<stack>.yaml>]
// Prints the /etc/rancher/rke2/registries.yaml that new RKE2 nodes get from plant:mirrors, for the
// plant to place on the nodes of existing clusters, which the program cannot write to
// (docs/kubernetes.md, "Plant mirrors"). Offline: reads the stack file only.
import * as path from "path";
import { parseSite, readSiblingSites, readStackFile, SiteConfigError } from "../config/site";
import { MIRROR_CA_PATH, registriesYaml, rke2Mirrors } from "../components/kubernetes/rke2-mirrors";

const PROJECT_DIR = path.resolve(__dirname, "..");
const USAGE = "usage: npm run registries -- <stack> [--config <Pulumi.<stack>.yaml>]";

/** The registries.yaml of a stack's mirrors, with a comment saying where it and the CA go. */
export function registriesFileOf(stack: string, configFile?: string): string {
  const file = configFile ?? path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
  const site = parseSite(stack, readStackFile(file), readSiblingSites(PROJECT_DIR, stack));
  const mirrors = rke2Mirrors(site.mirrors);
  if (!mirrors || mirrors.registries.length === 0) {
    throw new SiteConfigError(stack, [
      {
        key: "plant:mirrors.registries",
        message: "is not set: there is no registries.yaml to write",
      },
    ]);
  }
  const ca =
    mirrors.caCertificate === undefined
      ? ""
      : `# Needs ${MIRROR_CA_PATH} (plant:mirrors.caCertificate) on the node too.\n`;
  return (
    `# /etc/rancher/rke2/registries.yaml (k3s: /etc/rancher/k3s/registries.yaml) for stack '${stack}',\n` +
    `# from plant:mirrors.registries; restart rke2-server/rke2-agent (k3s/k3s-agent) after writing it.\n` +
    ca +
    registriesYaml(mirrors)
  );
}

function main(argv: string[]): number {
  let stack: string | undefined;
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config" && argv[i + 1]) configFile = path.resolve(argv[++i]);
    else if (argv[i].startsWith("-") || stack) {
      console.error(USAGE);
      return 2;
    } else stack = argv[i];
  }
  if (!stack) {
    console.error(USAGE);
    return 2;
  }
  try {
    process.stdout.write(registriesFileOf(stack, configFile));
    return 0;
  } catch (e) {
    if (e instanceof SiteConfigError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
