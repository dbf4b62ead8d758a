import * as z from "zod";
import { REDACTED } from "../../../core/base/redact.js";
import { channelState } from "../../../core/config/channels.js";
import { looksLikeKeySegment } from "../../../core/config/secret-paths.js";
import { mcpAuthState } from "../../client/auth-state.js";
import { defineSelfTool, type SelfDeps, type SelfTool } from "./self-tool.js";

/**
 * Hosted MCP servers put keys in the query (?api_key=...) and in the path
 * (https://mcp.zapier.com/api/mcp/s/<key>/mcp): the query is dropped, key-like segments masked.
 */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname
      .split("/")
      .map((seg) => (looksLikeKeySegment(seg) ? REDACTED : seg))
      .join("/");
    return `${u.origin}${path}`;
  } catch {
    return "(invalid url)";
  }
}

export function createConfigTools(deps: SelfDeps): SelfTool[] {
  const listChannels = defineSelfTool({
    name: "list_channels",
    title: "List chat channels",
    description:
      "List kavilo's chat channels (telegram, slack): whether each is enabled, whether its tokens are " +
      "configured, and its group policy. Token values are never returned.",
    input: z.object({}),
    readOnly: true,
    async handler() {
      const { config } = deps.config();
      const t = config.channels.telegram;
      const s = config.channels.slack;
      return {
        channels: [
          {
            name: "telegram",
            ...channelState(config, "telegram"),
            groupPolicy: t.groupPolicy,
            allowFromCount: t.allowFrom.length,
          },
          {
            name: "slack",
            ...channelState(config, "slack"),
            groupPolicy: s.groupPolicy,
            allowFromCount: s.allowFrom.length,
            replyInThread: s.replyInThread,
          },
        ],
      };
    },
  });

  const listMcpServers = defineSelfTool({
    name: "list_mcp_servers",
    title: "List MCP servers",
    description:
      "List the MCP servers kavilo connects to (tools.mcpServers): alias, transport, enabled, tool " +
      "allow-list, description, and for HTTP servers the auth provider and login state with expiry. " +
      "Header and env values are never returned, only their names.",
    input: z.object({}),
    readOnly: true,
    async handler() {
      const { config, paths } = deps.config();
      const servers = await Promise.all(
        Object.entries(config.tools.mcpServers).map(async ([alias, s]) => ({
          alias,
          transport: s.type === "http" ? "http" : "stdio",
          enabled: s.enabled,
          enabledTools: s.enabledTools ?? null,
          description: s.description ?? null,
          timeoutS: s.timeoutS,
          ...(s.type === "http"
            ? { url: safeUrl(s.url), headerNames: Object.keys(s.headers) }
            : { command: s.command, argCount: s.args.length, envNames: Object.keys(s.env) }),
          auth: s.type === "http" ? await mcpAuthState(alias, s, paths) : null,
        })),
      );
      return { servers };
    },
  });

  return [listChannels, listMcpServers];
}
