import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { McpAuthRequiredError, type McpAuthSource } from "../../auth/mcp/auth-required-error.js";
import { challengeOf } from "../../auth/mcp/challenge.js";
import { expandPath, type McpServerAuth, readMcpServerToken } from "../../auth/mcp/server-token.js";
import { recordRequiredScope } from "../../auth/mcp/step-up.js";
import type { Paths } from "../../core/base/paths.js";

export interface AuthFetchOptions {
  alias: string;
  auth: McpServerAuth | undefined;
  /** The server's static headers; with no auth block and no stored login they are its credentials. */
  headers?: Record<string, string>;
  paths: Paths;
  fetchFn?: FetchLike;
  /** A token refresh that failed before a request (the old token is sent): one line, no token. */
  log?: (line: string) => void;
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
 * forced refresh for OAuth logins. A 403 insufficient_scope on an OAuth login records the
 * demanded scope for the next login and fails the request with the line that says how to get it
 * (an interactive front-end logs in again and retries the tool call: see mcp-tool.ts).
 */
export function createAuthFetch(opts: AuthFetchOptions): FetchLike {
  const base: FetchLike = opts.fetchFn ?? fetch;
  const oauth = (opts.auth?.provider ?? "oauth") === "oauth";

  const send = (url: string | URL, init: RequestInit | undefined, token: string | undefined) => {
    const headers = new Headers(init?.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    return base(url, { ...init, headers });
  };
  const readToken = (force = false) =>
    readMcpServerToken(opts.alias, opts.auth, opts.paths, opts.fetchFn, {
      ...(force ? { force } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });

  return async (url, init) => {
    const token = await readToken();
    const first = await send(url, init, token);
    if (first.status === 403 && oauth && token) {
      const challenge = challengeOf(first);
      if (!challenge) return first;
      await first.body?.cancel().catch(() => {});
      await recordRequiredScope(opts.paths, opts.alias, challenge.scope).catch(() => {});
      throw new McpAuthRequiredError(opts.alias, { kind: "scope", scope: challenge.scope });
    }
    if (first.status !== 401) return first;
    await first.body?.cancel().catch(() => {});
    if (oauth && token) {
      const fresh = await readToken(true).catch(() => undefined);
      if (fresh && fresh !== token) {
        const second = await send(url, init, fresh);
        if (second.status !== 401) return second;
        await second.body?.cancel().catch(() => {});
      }
    }
    throw new McpAuthRequiredError(opts.alias, authSource(opts, token));
  };
}
