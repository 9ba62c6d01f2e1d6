// CIDR membership for ipBlock peers (cidr minus except), with node's BlockList.
import { BlockList, isIP } from 'node:net';

export interface ParsedCidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

export function parseCidr(cidr: string): ParsedCidr | undefined {
  const [address, bits] = cidr.trim().split('/');
  const version = isIP(address ?? '');
  if (!address || !version) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether `ip` lies in `cidr` (false for malformed input or a family mismatch). */
export function cidrContains(cidr: string, ip: string): boolean {
  const parsed = parseCidr(cidr);
  const version = isIP(ip);
  if (!parsed || !version || (version === 4 ? 'ipv4' : 'ipv6') !== parsed.family) return false;
  const list = new BlockList();
  list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  return list.check(ip, parsed.family);
}

export interface IpBlockMatch {
  match: boolean;
  /** The except entry that excluded the address. */
  excludedBy?: string;
}

/** The API's ipBlock: inside `cidr` and outside every `except` entry. */
export function ipBlockContains(block: { cidr: string; except?: string[] }, ip: string): IpBlockMatch {
  if (!cidrContains(block.cidr, ip)) return { match: false };
  const excludedBy = (block.except ?? []).find((e) => cidrContains(e, ip));
  return excludedBy ? { match: false, excludedBy } : { match: true };
}

export function isIpAddress(text: string): boolean {
  return isIP(text) !== 0;
}
