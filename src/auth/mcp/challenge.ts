import { extractWWWAuthenticateParams } from "@modelcontextprotocol/sdk/client/auth.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { kaviloVersion } from "../../core/base/version.js";

/**
 * What a protected MCP server said when it refused a request: a 401, or a 403 with
 * `error="insufficient_scope"` (RFC 6750 §3.1), and the WWW-Authenticate parameters that
 * start discovery (RFC 9728 `resource_metadata`) and scope selection (`scope`).
 */
export interface McpChallenge {
  status: 401 | 403;
  error?: string;
  scope?: string;
  resourceMetadataUrl?: string;
}

/** The challenge in a response, or undefined when the response is not one (any other status). */
export function challengeOf(res: Response): McpChallenge | undefined {
  if (res.status !== 401 && res.status !== 403) return undefined;
  const params = extractWWWAuthenticateParams(res);
  if (res.status === 403 && params.error !== "insufficient_scope") return undefined;
  return {
    status: res.status,
    ...(params.error ? { error: params.error } : {}),
    ...(params.scope ? { scope: params.scope } : {}),
    ...(params.resourceMetadataUrl ? { resourceMetadataUrl: params.resourceMetadataUrl.href } : {}),
  };
}

/** Space-separated scopes merged in order, without duplicates; undefined when none. */
export function unionScopes(...scopes: Array<string | undefined>): string | undefined {
  const all = new Set<string>();
  for (const s of scopes) for (const one of s?.split(/\s+/) ?? []) if (one) all.add(one);
  return all.size ? [...all].join(" ") : undefined;
}

const JSON_RPC_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

/**
 * Sends what a real connection sends first (initialize, notifications/initialized, tools/list, all
 * POSTs as the streamable HTTP transport does) until the server challenges one of them. A server
 * may answer GET with 404 or 405, or let initialize through and guard only later requests; the
 * challenge is where the real requests meet it. `reached` is false when the server did not answer.
 */
export async function probeChallenge(
  serverUrl: string,
  fetchFn: FetchLike,
  token?: string,
): Promise<{ challenge?: McpChallenge; reached: boolean }> {
  const headers: Record<string, string> = { ...JSON_RPC_HEADERS };
  if (token) headers.authorization = `Bearer ${token}`;
  const post = async (body: object): Promise<{ res: Response; challenge?: McpChallenge }> => {
    const res = await fetchFn(serverUrl, { method: "POST", headers, body: JSON.stringify(body) });
    const challenge = challengeOf(res);
    await res.body?.cancel().catch(() => {});
    return challenge ? { res, challenge } : { res };
  };
  try {
    const init = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "kavilo", version: kaviloVersion() },
      },
    });
    if (init.challenge) return { challenge: init.challenge, reached: true };
    if (!init.res.ok) return { reached: true };
    const session = init.res.headers.get("mcp-session-id");
    if (session) headers["mcp-session-id"] = session;
    headers["mcp-protocol-version"] = LATEST_PROTOCOL_VERSION;
    const initialized = await post({ jsonrpc: "2.0", method: "notifications/initialized" });
    if (initialized.challenge) return { challenge: initialized.challenge, reached: true };
    const list = await post({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
    if (session) {
      await fetchFn(serverUrl, { method: "DELETE", headers })
        .then((r) => r.body?.cancel())
        .catch(() => {});
    }
    return list.challenge ? { challenge: list.challenge, reached: true } : { reached: true };
  } catch {
    return { reached: false };
  }
}
