import { kaviloVersion } from "../../core/base/version.js";
import { selfDepsOf } from "../compose/self-deps.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

/** `kavilo mcp serve slack`: the user's Slack account (one alias) as an MCP server over stdio. */
async function serveSlack(ctx: CliContext, asked: string | undefined): Promise<number> {
  const { pickSlackAlias, serveSlackOverStdio } = await import("../../mcp/servers/slack/serve-stdio.js");
  let alias: string;
  try {
    alias = await pickSlackAlias(ctx.basePaths, asked);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const { rejected } = await serveSlackOverStdio({
    alias,
    paths: ctx.basePaths,
    env: ctx.env,
    version: kaviloVersion(),
  });
  // As for self: each bad line was answered and logged; the exit code says the input was not all valid.
  return rejected > 0 ? 1 : 0;
}

/** `kavilo mcp serve self`: kavilo's own state as an MCP server over stdio, for Cursor or Claude Desktop. */
export default async function serve(
  ctx: CliContext,
  server: unknown,
  opts: { alias?: string } = {},
): Promise<number> {
  if (server === "slack") return serveSlack(ctx, opts.alias);
  if (server !== "self") {
    throw new CliError(`unknown MCP server "${String(server)}": use self or slack`, 2);
  }
  const { serveSelfOverStdio } = await import("../../mcp/servers/self/serve-stdio.js");
  const { rejected } = await serveSelfOverStdio(selfDepsOf(ctx), {
    name: "kavilo",
    version: kaviloVersion(),
  });
  // Each bad line was answered and logged; the exit code still says the input was not all valid.
  return rejected > 0 ? 1 : 0;
}
