// Disk arithmetic of the placement planner. Pure. The R620s' disks are in decimal GB (as
// plant:hosts[].diskGb says and vendors count); Nova flavor disks and Cinder volumes are GiB, and
// Cinder rounds every volume up to a whole GiB. Everything is converted up, never down.
import { SiteConfig } from "../../config/site";

const GIB = 2 ** 30;
const UNIT_BYTES: Readonly<Record<string, number>> = { Mi: 2 ** 20, Gi: GIB, Ti: 2 ** 40 };

/** Decimal GB a disk of `gib` GiB occupies. */
export function gibToGb(gib: number): number {
  return Math.ceil((gib * GIB) / 1e9);
}

/** Whole GiB of the Cinder volume backing a claim of `size` (`50Gi`, `1500Mi`, `1Ti`). */
export function volumeGib(size: string): number {
  const m = /^([1-9][0-9]*)(Mi|Gi|Ti)$/.exec(size);
  if (!m) throw new Error(`[storage] '${size}' is not a size like 50Gi`);
  return Math.ceil((Number(m[1]) * UNIT_BYTES[m[2]]) / GIB);
}

/**
 * Decimal GB of database volumes one host holds for cluster `cluster`: one instance of each of
 * its databases (data, plus WAL when separate). At most one, because each database's instances
 * are spread over distinct physical hosts (required anti-affinity).
 */
export function databaseVolumeGbPerHost(site: SiteConfig, cluster: string): number {
  return site.databases
    .filter((d) => d.cluster === cluster)
    .reduce(
      (sum, d) =>
        sum +
        gibToGb(volumeGib(d.storage.size)) +
        (d.walStorage ? gibToGb(volumeGib(d.walStorage.size)) : 0),
      0,
    );
}
