import { readFileSync } from "node:fs";
import { selfDepsOf } from "../compose/tools.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

declare const KAVILO_BUNDLED_VERSION: string | undefined;

function version(): string {
  if (typeof KAVILO_BUNDLED_VERSION === "string") return KAVILO_BUNDLED_VERSION;
  const url = new URL("../../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

/** `kavilo mcp serve self`: kavilo's own state as an MCP server over stdio, for Cursor or Claude Desktop. */
export default async function serve(ctx: CliContext, server: unknown): Promise<number> {
  if (server === "slack") {
    throw new CliError("kavilo mcp serve slack is not available yet: Slack MCP login is not built", 2);
  }
  if (server !== "self") {
    throw new CliError(`unknown MCP server "${String(server)}": use self or slack`, 2);
  }
  const { serveSelfOverStdio } = await import("../../mcp/servers/self/serve-stdio.js");
  await serveSelfOverStdio(selfDepsOf(ctx), { name: "kavilo", version: version() });
  return 0;
}
