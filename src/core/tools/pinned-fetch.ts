import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { envProxyDispatcher } from "../base/env-proxy.js";
import { blockedAddressPhrase, blockedAddressReason } from "./ip-policy.js";
import { ToolError } from "./types.js";

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all of its addresses (dns.lookup with all: true by default). */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface AddressPolicy {
  /** Allow loopback, private, link-local and other non-public addresses. */
  allowPrivate: boolean;
  /** Host names (or IP literals) exempt from the address check; meant for tests. */
  allowHosts?: readonly string[];
  lookup?: LookupAll;
}

export interface PinnedResponse {
  status: number;
  url: string;
  contentType: string | null;
  location: string | null;
  body: AsyncIterable<Uint8Array> | null;
  /** Releases the connection; call after the body is read or abandoned. */
  release(): Promise<void>;
}

const defaultLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true });

/** URL.hostname keeps the brackets around IPv6 literals; sockets want them gone. */
export function bareHostname(url: URL): string {
  const host = url.hostname;
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * The addresses `url`'s host may be reached at under `policy`: IP literals are checked directly, names are
 * resolved once and every non-public address is dropped. Refuses with a ToolError when none is left.
 */
export async function vetHost(url: URL, policy: AddressPolicy): Promise<ResolvedAddress[]> {
  const host = bareHostname(url);
  const exempt = policy.allowPrivate || (policy.allowHosts ?? []).includes(host.toLowerCase());
  const family = isIP(host);
  if (family !== 0) {
    const reason = blockedAddressReason(host);
    if (reason && !exempt) {
      throw new ToolError(`Refusing to fetch ${url.href}: ${host} is ${blockedAddressPhrase(reason)}`);
    }
    return [{ address: host, family }];
  }
  let resolved: ResolvedAddress[];
  try {
    resolved = await (policy.lookup ?? defaultLookup)(host);
  } catch (err) {
    throw new ToolError(`Could not resolve ${host}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (exempt) return resolved;
  const allowed = resolved.filter((a) => blockedAddressReason(a.address) === undefined);
  if (allowed.length === 0) {
    const first = resolved[0];
    const why = first
      ? `${first.address}, ${blockedAddressPhrase(blockedAddressReason(first.address) ?? "public")}`
      : "no address";
    throw new ToolError(`Refusing to fetch ${url.href}: ${host} resolves to ${why}`);
  }
  return allowed;
}

/** A net/tls lookup that answers only with the addresses already vetted, so DNS cannot rebind in between. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      callback(null, addresses);
      return;
    }
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const pick = addresses.find((a) => wanted === undefined || a.family === wanted) ?? addresses[0]!;
    callback(null, pick.address, pick.family);
  };
}

/** One GET without following redirects, connected only to `addresses`. */
export async function fetchPinned(
  url: URL,
  addresses: ResolvedAddress[],
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<PinnedResponse> {
  // undici is imported lazily: most agent turns never fetch a web page.
  const { Agent, fetch } = await import("undici");
  // Behind HTTPS_PROXY the proxy connects (the host was vetted above); the shared dispatcher stays open.
  const proxy = envProxyDispatcher();
  const agent = proxy ? undefined : new Agent({ connect: { lookup: pinnedLookup(addresses) } });
  const release = async () => {
    await agent?.destroy();
  };
  try {
    const res = await fetch(url, { dispatcher: proxy ?? agent, redirect: "manual", signal, headers });
    return {
      status: res.status,
      url: url.href,
      contentType: res.headers.get("content-type"),
      location: res.headers.get("location"),
      body: res.body,
      release,
    };
  } catch (err) {
    await release();
    throw err;
  }
}
