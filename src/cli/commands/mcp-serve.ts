import type { CliContext } from "../context.js";
import { CliError, notAvailable } from "../errors.js";

export default async function serve(_ctx: CliContext, server: unknown): Promise<number> {
  if (server !== "self" && server !== "slack") {
    throw new CliError(`unknown MCP server "${String(server)}": use self or slack`, 2);
  }
  notAvailable(`mcp serve ${server}`);
}
