import { oauthServerUrl } from "../../mcp/client/oauth-target.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

export interface McpLoginCliOptions {
  server: string;
  clientId?: string;
  clientSecret?: string;
  /** False with --no-browser: the URL is printed only. */
  browser: boolean;
  /** Loopback port of the redirect; default 7898, 0 picks a free one. */
  port?: string;
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a port number (0 to 65535), not "${text}"`, 2);
  }
  return port;
}

/** `kavilo mcp login --server <alias>`: OAuth login for a remote server in tools.mcpServers. */
export default async function mcpLoginCommand(ctx: CliContext, opts: McpLoginCliOptions): Promise<number> {
  const { config, paths } = ctx.config();
  const target = oauthServerUrl(config.tools.mcpServers, opts.server);
  // A wrong alias or a server that cannot log in is a usage error (exit 2), not a failed login.
  if ("error" in target) throw new CliError(target.error, 2);
  const redirectPort = parsePort(opts.port);
  const [{ mcpLogin, McpLoginNotNeededError }, { describeFailure }] = await Promise.all([
    import("../../auth/mcp/oauth-login.js"),
    import("../../mcp/client/one-line.js"),
  ]);
  try {
    await mcpLogin({
      alias: opts.server,
      serverUrl: target.url,
      paths,
      openBrowser: opts.browser,
      ...(redirectPort !== undefined ? { redirectPort } : {}),
      print: (line) => process.stderr.write(`${line}\n`),
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
    });
  } catch (err) {
    if (err instanceof McpLoginNotNeededError) throw new CliError(err.message, 2);
    throw new CliError(`mcp login ${opts.server}: ${describeFailure(err)}`);
  }
  return 0;
}
