/**
 * IP address and CIDR matching for the trusted-proxy list (IMBI_API_FORWARDED_ALLOW_IPS).
 * IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) match their IPv4 form, because that is how
 * Bun reports IPv4 peers on a dual-stack socket.
 */
import { isIP } from "node:net";

export interface IpMatcher {
  matches(address: string): boolean;
}

function v4ToBigInt(address: string): bigint {
  return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = v4ToBigInt(dotted[1]!);
    text = text.slice(0, -dotted[1]!.length) + `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array(tail !== undefined ? missing : 0).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part || "0", 16)), 0n);
}

/** Normalises an address to [family, value]; IPv4-mapped IPv6 becomes IPv4. */
function toNumeric(address: string): [4 | 6, bigint] | undefined {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return [4, v4ToBigInt(bare)];
  if (family !== 6) return undefined;
  const value = v6ToBigInt(bare);
  if (value >> 32n === 0xffffn) return [4, value & 0xffffffffn];
  return [6, value];
}

/** Parses one entry: an address or a CIDR. Returns undefined when it is neither. */
function parseEntry(entry: string): ((address: string) => boolean) | undefined {
  const [base = "", bitsText] = entry.split("/");
  const parsed = toNumeric(base);
  if (!parsed) return undefined;
  const [family, network] = parsed;
  const width = family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width || (bitsText !== undefined && !/^\d+$/.test(bitsText))) {
    return undefined;
  }
  const shift = BigInt(width - bits);
  return (address) => {
    const candidate = toNumeric(address);
    return !!candidate && candidate[0] === family && candidate[1] >> shift === network >> shift;
  };
}

/** Splits a comma-separated list; returns the entries that are not valid addresses/CIDRs. */
export function invalidIpEntries(list: string): string[] {
  return splitList(list).filter((entry) => entry !== "*" && !parseEntry(entry));
}

function splitList(list: string): string[] {
  return list.split(",").map((s) => s.trim()).filter(Boolean);
}

export function createIpMatcher(list: string): IpMatcher {
  const entries = splitList(list);
  if (entries.includes("*")) return { matches: () => true };
  const checks = entries.map(parseEntry).filter((c): c is (a: string) => boolean => !!c);
  return { matches: (address) => checks.some((check) => check(address)) };
}
