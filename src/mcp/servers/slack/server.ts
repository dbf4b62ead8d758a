import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
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
  for (const tool of slackTools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        annotations: {
          title: tool.title,
          readOnlyHint: tool.readOnly,
          destructiveHint: false,
          openWorldHint: true,
        },
      },
      async (args) => {
        const outcome = await runSlackTool(tool, args, call);
        return {
          content: [{ type: "text", text: outcome.text }],
          ...(outcome.isError ? { isError: true } : {}),
        };
      },
    );
  }
  return server;
}
