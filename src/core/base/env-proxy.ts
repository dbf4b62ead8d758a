import type http from "node:http";
import type https from "node:https";
import type { Dispatcher } from "undici";

/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and their lowercase forms) for every outbound request.
 * One undici EnvHttpProxyAgent becomes the global dispatcher, so Node's fetch and every SDK on it
 * (providers, MCP HTTP, OAuth, Slack, web tools) go through the proxy; code that builds its own
 * dispatcher asks for this one. Libraries on the http module (grammy's node-fetch) get global
 * agents with Node's own proxy support (`proxyEnv`, the same variables).
 */
let installed: Dispatcher | undefined;
let agents: { http: http.Agent; https: https.Agent } | undefined;

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
  const { EnvHttpProxyAgent, setGlobalDispatcher } = await import("undici");
  // Not a static import: an ESM import of node:http builds its namespace from every export, and its
  // WebSocket getter loads Node's bundled undici (~15 ms), which `kavilo mcp serve self` never needs.
  const http = process.getBuiltinModule("node:http");
  const https = process.getBuiltinModule("node:https");
  const agent = new EnvHttpProxyAgent();
  setGlobalDispatcher(agent);
  agents = {
    http: new http.Agent({ keepAlive: true, proxyEnv: env }),
    https: new https.Agent({ keepAlive: true, proxyEnv: env }),
  };
  http.globalAgent = agents.http;
  https.globalAgent = agents.https;
  installed = agent;
  return agent;
}

/** The dispatcher installEnvProxy set up, for code that would build its own agent. */
export function envProxyDispatcher(): Dispatcher | undefined {
  return installed;
}

/** The proxy-aware http-module agent for a URL, for a library that makes its own agents (grammy). */
export function envProxyHttpAgent(url: string): http.Agent | undefined {
  if (!agents) return undefined;
  return url.startsWith("https:") ? agents.https : agents.http;
}
