import { oauthServerUrl } from "../../auth/mcp-oauth-target.js";
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
  const target = oauthServerUrl(config.tools.mcpServers, opts.server);
  if ("error" in target) throw new CliError(target.error);
  const { mcpLogin } = await import("../../auth/mcp-oauth.js");
  try {
    await mcpLogin({
      alias: opts.server,
      serverUrl: target.url,
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
