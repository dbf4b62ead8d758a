import type { Dispatcher } from "undici";

/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and their lowercase forms) for every outbound request.
 * One undici EnvHttpProxyAgent becomes the global dispatcher, so Node's fetch and every SDK on it
 * (providers, MCP HTTP, OAuth, Slack, web tools) go through the proxy; code that builds its own
 * dispatcher asks for this one, and grammy (node-fetch by default) is handed envProxyFetch. Other
 * code on the http module gets global agents with Node's own proxy support (`proxyEnv`, the same
 * variables), which only Node 24.5 and later have.
 */
let installed: Dispatcher | undefined;
let proxyFetch: typeof fetch | undefined;

const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] as const;

/** The proxy the environment names, if any. */
export function envProxyUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of PROXY_VARS) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** Installs the proxy-aware dispatcher and agents once, when the environment names a proxy. */
export async function installEnvProxy(env: NodeJS.ProcessEnv = process.env): Promise<Dispatcher | undefined> {
  if (installed || !envProxyUrl(env)) return installed;
  // undici is loaded only behind a proxy: most runs never need it.
  const { EnvHttpProxyAgent, setGlobalDispatcher, fetch: undiciFetch } = await import("undici");
  // Not a static import: an ESM import of node:http builds its namespace from every export, and its
  // WebSocket getter loads Node's bundled undici (~15 ms), which `kavilo mcp serve self` never needs.
  const http = process.getBuiltinModule("node:http");
  const https = process.getBuiltinModule("node:https");
  const agent = new EnvHttpProxyAgent();
  setGlobalDispatcher(agent);
  http.globalAgent = new http.Agent({ keepAlive: true, proxyEnv: env });
  https.globalAgent = new https.Agent({ keepAlive: true, proxyEnv: env });
  // undici's own fetch with the agent named: the same on every Node (the global fetch of an older
  // Node bundles an older undici).
  proxyFetch = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...init, dispatcher: agent } as Parameters<
      typeof undiciFetch
    >[1])) as unknown as typeof fetch;
  installed = agent;
  return agent;
}

/** The dispatcher installEnvProxy set up, for code that would build its own agent. */
export function envProxyDispatcher(): Dispatcher | undefined {
  return installed;
}

/** A fetch through the proxy, once installEnvProxy set one up: for a library that takes a fetch (grammy). */
export function envProxyFetch(): typeof fetch | undefined {
  return proxyFetch;
}
