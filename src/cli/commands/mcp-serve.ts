import { kaviloVersion } from "../../core/base/version.js";
import { selfDepsOf } from "../compose/tools.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

/** `kavilo mcp serve self`: kavilo's own state as an MCP server over stdio, for Cursor or Claude Desktop. */
export default async function serve(ctx: CliContext, server: unknown): Promise<number> {
  if (server === "slack") {
    throw new CliError("kavilo mcp serve slack is not available yet: Slack MCP login is not built", 2);
  }
  if (server !== "self") {
    throw new CliError(`unknown MCP server "${String(server)}": use self or slack`, 2);
  }
  const { serveSelfOverStdio } = await import("../../mcp/servers/self/serve-stdio.js");
  await serveSelfOverStdio(selfDepsOf(ctx), { name: "kavilo", version: kaviloVersion() });
  return 0;
}
