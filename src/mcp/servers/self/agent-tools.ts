import type { Tool } from "../../../core/tools/types.js";
import { AGENT_TOOL_PREFIX, agentCapabilities } from "./agent-tool-shape.js";
import { runSelfTool } from "./result.js";
import type { SelfDeps } from "./self-tool.js";
import { createSelfTools } from "./tools.js";

/**
 * What a turn that came from a chat (Telegram, Slack: ToolContext.origin) may not do with these
 * tools: whoever may write to the bot is not necessarily the owner, so other conversations and the
 * OAuth login flow stay out of reach. The chat's own session stays readable.
 */
function refusedInChat(name: string, args: unknown, sessionKey: string): string | undefined {
  if (name === "list_sessions") {
    return `from a chat, only this conversation can be read: use ${AGENT_TOOL_PREFIX}read_session with key "${sessionKey}"`;
  }
  if (name === "read_session") {
    const key = (args as { key?: unknown } | undefined)?.key;
    if (key !== sessionKey)
      return `from a chat, only this conversation's session ("${sessionKey}") can be read`;
  }
  if (name === "mcp_login_start" || name === "mcp_login_finish") {
    return "MCP logins are started from the terminal: kavilo mcp login --server <alias>";
  }
  return undefined;
}

/**
 * The self tools as in-process agent tools (`kavilo_status`, `kavilo_list_sessions`, ...), so
 * `kavilo agent` and `kavilo start` offer them without spawning `kavilo mcp serve self`.
 * Answers are redacted exactly as over MCP.
 */
export function selfToolsAsAgentTools(deps: SelfDeps, opts: { exclude?: readonly string[] } = {}): Tool[] {
  const excluded = new Set(opts.exclude ?? []);
  return createSelfTools(deps)
    .filter((tool) => !excluded.has(tool.name))
    .map(
      (tool): Tool => ({
        name: `${AGENT_TOOL_PREFIX}${tool.name}`,
        description: tool.description,
        parameters: tool.input,
        capabilities: agentCapabilities(tool.readOnly),
        async run(args, ctx) {
          const refused = ctx.origin ? refusedInChat(tool.name, args, ctx.sessionKey) : undefined;
          if (refused) return { content: refused, isError: true };
          const outcome = await runSelfTool(tool, args, deps);
          return { content: outcome.text, ...(outcome.isError ? { isError: true } : {}) };
        },
      }),
    );
}
