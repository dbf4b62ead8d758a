import type { McpServerConfig } from "../../core/config/schema.js";

/**
 * The URL of `alias` when it is an HTTP server that logs in with OAuth; otherwise the one-line
 * reason it cannot (unknown alias, stdio server, another auth provider).
 */
export function oauthServerUrl(
  servers: Record<string, McpServerConfig>,
  alias: string,
): { url: string } | { error: string } {
  const server = servers[alias];
  if (!server) {
    const known = Object.keys(servers);
    return {
      error: `no MCP server "${alias}" in tools.mcpServers${known.length ? ` (configured: ${known.join(", ")})` : ""}`,
    };
  }
  if (server.type !== "http") {
    return { error: `MCP server "${alias}" is a stdio server; OAuth login applies to http servers only` };
  }
  if (server.auth && server.auth.provider !== "oauth") {
    return {
      error: `MCP server "${alias}" uses auth.provider "${server.auth.provider}"; OAuth login is for "oauth"`,
    };
  }
  return { url: server.url };
}
