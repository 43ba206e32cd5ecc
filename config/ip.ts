// IPv4 helpers built on the `ip-address` library: parsing, containment and ordering only.
import { Address4 } from "ip-address";

export interface Ipv4Range {
  readonly start: string;
  readonly end: string;
}

export function isIpv4(value: string): boolean {
  return Address4.isValid(value) && !value.includes("/");
}

/** A CIDR in network form: `10.1.0.0/22`, not `10.1.0.5/22`. */
export function isNetworkCidr(value: string): boolean {
  if (!value.includes("/") || !Address4.isValid(value)) return false;
  const cidr = new Address4(value);
  return cidr.startAddress().address === cidr.addressMinusSuffix;
}

function toBig(ip: string): bigint {
  return new Address4(ip).bigInt();
}

export function compareIp(a: string, b: string): number {
  const d = toBig(a) - toBig(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function ipInCidr(ip: string, cidr: string): boolean {
  return new Address4(ip).isInSubnet(new Address4(cidr));
}

export function ipInRange(ip: string, range: Ipv4Range): boolean {
  return compareIp(ip, range.start) >= 0 && compareIp(ip, range.end) <= 0;
}

export function cidrAsRange(cidr: string): Ipv4Range {
  const c = new Address4(cidr);
  return { start: c.startAddress().address, end: c.endAddress().address };
}

export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return compareIp(a.start, b.end) <= 0 && compareIp(b.start, a.end) <= 0;
}

export function cidrsOverlap(a: string, b: string): boolean {
  return rangesOverlap(cidrAsRange(a), cidrAsRange(b));
}

/** The address `offset` places after `ip` (offset may be 0). */
export function ipAdd(ip: string, offset: number): string {
  return Address4.fromBigInt(toBig(ip) + BigInt(offset)).address;
}

/** Number of addresses in an inclusive range. */
export function rangeSize(range: Ipv4Range): number {
  return Number(toBig(range.end) - toBig(range.start)) + 1;
}

export function rangeInCidr(range: Ipv4Range, cidr: string): boolean {
  return ipInCidr(range.start, cidr) && ipInCidr(range.end, cidr);
}

export function prefixLength(cidr: string): number {
  return new Address4(cidr).subnetMask;
}
