// INITIAL STUB (spine): replaced by the reporting services issue.
import { SiteConfig, SiteSecrets } from "../../config";
import { ServiceOutput } from "../../outputs";
import { ClusterAddons } from "../ingress";
import { DatabaseCredential, PlantCluster } from "../types";

export interface ServicesResult {
  readonly outputs: Record<string, ServiceOutput>;
  readonly graphqlEndpoint?: string;
}

export function declareServices(
  _site: SiteConfig,
  _secrets: SiteSecrets,
  _clusters: readonly PlantCluster[],
  _addons: ReadonlyMap<string, ClusterAddons>,
  _credentials: ReadonlyMap<string, DatabaseCredential>,
): ServicesResult {
  return { outputs: {} };
}
