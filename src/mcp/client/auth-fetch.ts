import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { McpAuthRequiredError, type McpAuthSource } from "../../auth/mcp/auth-required-error.js";
import { expandPath, type McpServerAuth, readMcpServerToken } from "../../auth/mcp/server-token.js";
import type { Paths } from "../../core/base/paths.js";

export interface AuthFetchOptions {
  alias: string;
  auth: McpServerAuth | undefined;
  /** The server's static headers; with no auth block and no stored login they are its credentials. */
  headers?: Record<string, string>;
  paths: Paths;
  fetchFn?: FetchLike;
}

function authSource(opts: AuthFetchOptions, token: string | undefined): McpAuthSource {
  const provider = opts.auth?.provider;
  if (provider === "bearer") {
    const file = opts.auth?.tokenFile;
    return { kind: "bearer", tokenFile: file ? expandPath(file, opts.paths) : "(auth.tokenFile not set)" };
  }
  if (provider === "slack") return { kind: "slack" };
  if (!provider && !token && Object.keys(opts.headers ?? {}).length > 0) return { kind: "headers" };
  return { kind: "oauth" };
}

/**
 * The fetch given to the HTTP transport: reads the token file on every request (another
 * process may have just rotated it), and turns a 401 into MCP_AUTH_REQUIRED after one
 * forced refresh for OAuth logins.
 */
export function createAuthFetch(opts: AuthFetchOptions): FetchLike {
  const base: FetchLike = opts.fetchFn ?? fetch;
  const oauth = (opts.auth?.provider ?? "oauth") === "oauth";

  const send = (url: string | URL, init: RequestInit | undefined, token: string | undefined) => {
    const headers = new Headers(init?.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    return base(url, { ...init, headers });
  };

  return async (url, init) => {
    const token = await readMcpServerToken(opts.alias, opts.auth, opts.paths, opts.fetchFn);
    const first = await send(url, init, token);
    if (first.status !== 401) return first;
    await first.body?.cancel().catch(() => {});
    if (oauth && token) {
      const fresh = await readMcpServerToken(opts.alias, opts.auth, opts.paths, opts.fetchFn, {
        force: true,
      }).catch(() => undefined);
      if (fresh && fresh !== token) {
        const second = await send(url, init, fresh);
        if (second.status !== 401) return second;
        await second.body?.cancel().catch(() => {});
      }
    }
    throw new McpAuthRequiredError(opts.alias, authSource(opts, token));
  };
}
