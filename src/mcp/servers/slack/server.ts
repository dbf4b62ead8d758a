import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerTools } from "../register-tools.js";
import { runSlackTool } from "./run-tool.js";
import type { SlackCall } from "./slack-api.js";
import { slackTools } from "./tools.js";

export interface SlackServerInfo {
  alias: string;
  version: string;
}

/** The `slack` MCP server: the user's Slack account (one alias) as tools. Connect it to any transport. */
export function createSlackServer(call: SlackCall, info: SlackServerInfo): McpServer {
  const server = new McpServer(
    { name: "kavilo-slack", version: info.version },
    {
      instructions:
        `Slack as the user of kavilo's Slack MCP alias "${info.alias}": read channels, threads and users, ` +
        "search messages and files, and post as the user (not a bot).",
    },
  );
  registerTools(server, slackTools, (tool, args) => runSlackTool(tool, args, call), { openWorld: true });
  return server;
}
