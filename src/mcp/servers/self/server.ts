import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerTools } from "../register-tools.js";
import { runSelfTool } from "./result.js";
import type { SelfDeps } from "./self-tool.js";
import { createSelfTools } from "./tools.js";

export interface SelfServerInfo {
  name?: string;
  version: string;
}

const INSTRUCTIONS =
  "kavilo is the user's personal AI agent (terminal, Telegram, Slack, cron). These tools read its state: " +
  "status, sessions, channels, MCP servers, cron jobs and token usage, and log in to its MCP servers. " +
  "Secrets are never returned.";

/** The `self` MCP server: kavilo's own state as tools. Connect it to any transport. */
export function createSelfServer(deps: SelfDeps, info: SelfServerInfo): McpServer {
  const server = new McpServer(
    { name: info.name ?? "kavilo", version: info.version },
    { instructions: INSTRUCTIONS },
  );
  registerTools(server, createSelfTools(deps), (tool, args) => runSelfTool(tool, args, deps), {
    openWorld: false,
  });
  return server;
}
