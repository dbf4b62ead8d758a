import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

export interface McpLoginCliOptions {
  server: string;
  clientId?: string;
  clientSecret?: string;
  /** False with --no-browser: the URL is printed only. */
  browser: boolean;
}

/** `kavilo mcp login --server <alias>`: OAuth login for a remote server in tools.mcpServers. */
export default async function mcpLoginCommand(ctx: CliContext, opts: McpLoginCliOptions): Promise<number> {
  const { config, paths } = ctx.config();
  const servers = config.tools.mcpServers;
  const server = servers[opts.server];
  if (!server) {
    const known = Object.keys(servers);
    throw new CliError(
      `no MCP server "${opts.server}" in tools.mcpServers${known.length ? ` (configured: ${known.join(", ")})` : ""}`,
    );
  }
  if (server.type !== "http") {
    throw new CliError(
      `MCP server "${opts.server}" is a stdio server; OAuth login applies to http servers only`,
    );
  }
  if (server.auth && server.auth.provider !== "oauth") {
    throw new CliError(
      `MCP server "${opts.server}" uses auth.provider "${server.auth.provider}"; mcp login is for "oauth"`,
    );
  }
  const { mcpLogin } = await import("../../auth/mcp-oauth.js");
  try {
    await mcpLogin({
      alias: opts.server,
      serverUrl: server.url,
      paths,
      openBrowser: opts.browser,
      print: (line) => process.stderr.write(`${line}\n`),
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
    });
  } catch (err) {
    throw new CliError(`mcp login ${opts.server}: ${(err as Error).message}`);
  }
  return 0;
}
