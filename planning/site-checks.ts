// Everything that can refuse a parsed site once its config rules pass: the VM placement, the
// areas' own checks and the failure-domain proof. Pure (no Pulumi): program.ts's prepareSite runs
// it before any resource is declared, and the property tests run it over generated sites.
import { SiteConfig, SiteConfigError } from "../config/site";
import { planPlacement, Placement } from "../components/openstack/placement";
import { areaProblems } from "./area-checks";
import { assertSiteSurvives, FailureDomainResult } from "./failure-domains";

export interface CheckedSite {
  readonly placement: Placement;
  readonly failureDomains: FailureDomainResult;
}

/** Places the VMs and proves the site; throws SiteConfigError naming the keys otherwise. */
export function checkSite(config: SiteConfig): CheckedSite {
  const placement = planPlacement(config);
  const problems = areaProblems(config, placement);
  if (problems.length > 0) throw new SiteConfigError(config.stack, problems);
  return { placement, failureDomains: assertSiteSurvives(config, placement) };
}
