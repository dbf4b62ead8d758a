import { isIPv4, isIPv6 } from "node:net";

// [network, prefix length, label]; addresses a server-side fetch must not reach by default.
const BLOCKED_V4: ReadonlyArray<readonly [string, number, string]> = [
  ["0.0.0.0", 8, "this-network"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local / cloud metadata"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

function v4ToInt(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function classifyV4(address: string): string | undefined {
  const value = v4ToInt(address);
  for (const [net, bits, label] of BLOCKED_V4) {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(net);
    if (value >= start && value < start + size) return label;
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped, embedded dotted IPv4 handled). */
function v6Groups(address: string): number[] {
  let text = address.split("%")[0]!.toLowerCase();
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const v = v4ToInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const [left = "", right] = text.split("::");
  const parse = (s: string): number[] => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const head = parse(left);
  if (right === undefined) return head;
  const rest = parse(right);
  return [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
}

function groupsToV4(hi: number, lo: number): string {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
}

function classifyV6(address: string): string | undefined {
  const g = v6Groups(address);
  if (g.length !== 8) return "malformed IPv6";
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 0) return "unspecified";
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 1) return "loopback";
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) reach the IPv4 address inside.
  if (upperZero && (g5 === 0xffff || g5 === 0)) return classifyV4(groupsToV4(g6, g7));
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) also carry an IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return classifyV4(groupsToV4(g6, g7));
  }
  if (g0 === 0x2002) return classifyV4(groupsToV4(g1, g2));
  if ((g0 & 0xfe00) === 0xfc00) return "unique-local";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xffc0) === 0xfec0) return "site-local";
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  return undefined;
}

/**
 * Why `address` must not be fetched (loopback, private, link-local/metadata, CGNAT, unique-local, ...),
 * or undefined when it is a public address. Anything that is not an IP literal is refused.
 */
export function blockedAddressReason(address: string): string | undefined {
  if (isIPv4(address)) return classifyV4(address);
  if (isIPv6(address)) return classifyV6(address);
  return "not an IP address";
}

/** The reason as the end of a sentence: "an unspecified address", "a loopback address", "not an IP address". */
export function blockedAddressPhrase(reason: string): string {
  if (reason.startsWith("not ")) return reason;
  // "an" before a vowel sound: an unspecified, an IETF...; but a unique-local.
  const article = /^(?:[aeio]|u(?!ni))/i.test(reason) ? "an" : "a";
  return `${article} ${reason} address`;
}
