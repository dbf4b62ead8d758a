import type { Paths } from "../../core/base/paths.js";
import type { McpServerConfig } from "../../core/config/schema.js";

/**
 * What kavilo holds to authenticate to one MCP server, read from disk without any network:
 * - `none`: a stdio server, or an http server with no auth block and no saved `kavilo mcp login`;
 * - `missing` / `valid` / `expired` (with `expiresAt`): the OAuth login state;
 * - `present` / `missing`: the token file of a `bearer` or `slack` server;
 * - `error`: the token file cannot be read (one line, no token).
 */
export type McpAuthState =
  | { provider: string | null; state: "none" }
  | { provider: string | null; state: "missing" | "valid" | "expired"; expiresAt?: string }
  | { provider: "bearer" | "slack"; state: "present" | "missing" }
  | { provider: string | null; state: "error"; error: string };

/** The one answer to "is this MCP server authenticated", for `status`, the self tools and `doctor`. */
export async function mcpAuthState(
  alias: string,
  server: McpServerConfig,
  paths: Paths,
  opts: { now?: () => Date } = {},
): Promise<McpAuthState> {
  const provider = server.auth?.provider ?? null;
  if (server.type !== "http") return { provider, state: "none" };
  try {
    // A server without an auth block still uses a token saved by `kavilo mcp login`.
    if (provider === null || provider === "oauth") {
      // Loaded on first use: the auth modules pull in the SDK's OAuth client, not needed to start.
      const { authStatus } = await import("../../auth/mcp/token.js");
      const status = await authStatus(alias, paths, opts);
      // No auth block and no saved login: nothing is missing, the server is simply open.
      if (provider === null && status.state === "missing") return { provider, state: "none" };
      return { provider, ...status };
    }
    const { readMcpServerToken } = await import("../../auth/mcp/server-token.js");
    // Read only: a Slack token near its expiry is not refreshed from here (no network).
    const token = await readMcpServerToken(alias, server.auth, paths, undefined, { offline: true });
    return { provider, state: token ? "present" : "missing" };
  } catch (err) {
    return { provider, state: "error", error: (err as Error).message };
  }
}
