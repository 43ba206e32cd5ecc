// INITIAL STUB (spine): replaced by the reporting services issue.
import { SiteConfig, SiteSecrets } from "../../config";
import { ServiceOutput } from "../../outputs";
import { ClusterAddons } from "../ingress";
import { DatabasesResult } from "../postgres";
import { PlantCluster } from "../types";

export interface ServicesResult {
  readonly outputs: Record<string, ServiceOutput>;
  readonly graphqlEndpoint?: string;
}

export function declareServices(
  _site: SiteConfig,
  _secrets: SiteSecrets,
  _clusters: readonly PlantCluster[],
  _addons: ReadonlyMap<string, ClusterAddons>,
  _databases: DatabasesResult,
): ServicesResult {
  return { outputs: {} };
}
