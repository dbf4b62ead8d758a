import * as z from "zod";
import type { Paths } from "../../../core/base/paths.js";
import { REDACTED } from "../../../core/base/redact.js";
import type { Config, McpServerConfig } from "../../../core/config/schema.js";
import { looksLikeKeySegment } from "./known-secrets.js";
import { defineSelfTool, type SelfDeps, type SelfTool } from "./self-tool.js";

export type ChannelName = keyof Config["channels"];

/** Whether a channel has what it needs to connect. Tokens are looked at, never returned. */
export function channelState(config: Config, name: ChannelName): { enabled: boolean; configured: boolean } {
  if (name === "telegram") {
    const t = config.channels.telegram;
    return { enabled: t.enabled, configured: Boolean(t.token) };
  }
  const s = config.channels.slack;
  return { enabled: s.enabled, configured: Boolean(s.botToken && s.appToken) };
}

export const CHANNEL_NAMES: readonly ChannelName[] = ["telegram", "slack"];

type AuthState =
  | { provider: null; state: "none" }
  | { provider: string | null; state: "missing" | "valid" | "expired"; expiresAt?: string }
  | { provider: "bearer" | "slack"; state: "present" | "missing" }
  | { provider: string | null; state: "error"; error: string };

async function authOf(alias: string, server: McpServerConfig, paths: Paths): Promise<AuthState | null> {
  if (server.type !== "http") return null;
  const provider = server.auth?.provider ?? null;
  try {
    // Loaded on first use: the auth modules pull in the SDK's OAuth client, not needed to start.
    const { authStatus } = await import("../../../auth/mcp/oauth-login.js");
    // A server without an auth block still uses a token saved by `kavilo mcp login`.
    if (provider === null || provider === "oauth") {
      const status = await authStatus(alias, paths);
      // No auth block and no saved login: nothing is missing, the server is simply open.
      if (provider === null && status.state === "missing") return { provider, state: "none" };
      return { provider, ...status };
    }
    const { readMcpServerToken } = await import("../../../auth/mcp/server-token.js");
    const token = await readMcpServerToken(alias, server.auth, paths);
    return { provider, state: token ? "present" : "missing" };
  } catch (err) {
    return { provider, state: "error", error: (err as Error).message };
  }
}

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
          auth: await authOf(alias, s, paths),
        })),
      );
      return { servers };
    },
  });

  return [listChannels, listMcpServers];
}
