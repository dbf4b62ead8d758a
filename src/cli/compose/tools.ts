import { listSlackAliasesSync } from "../../auth/slack-mcp/aliases.js";
import type { Paths } from "../../core/base/paths.js";
import type { Config } from "../../core/config/schema.js";
import { builtinSkillsDir } from "../../core/skills/builtin-dir.js";
import type { ApprovalMode } from "../../core/tools/approval.js";
import { approvalSettingsOf, createApprovalGate } from "../../core/tools/approval-gate.js";
import { builtinToolCatalog, lazyBuiltinTools } from "../../core/tools/builtin-catalog.js";
import { ToolRegistry } from "../../core/tools/registry.js";
import type { Tool } from "../../core/tools/types.js";
import type { McpPool } from "../../mcp/client/pool.js";
import type { McpStepUp } from "../../mcp/client/types.js";
import { lazySelfAgentTools, selfToolCatalog } from "../../mcp/servers/self/self-catalog.js";
import type { CliContext } from "../context.js";
import { selfDepsOf } from "./self-deps.js";

export interface ComposedTools {
  registry: ToolRegistry;
  /** Runs before every turn when MCP servers are configured: connects (or reconnects) them. */
  prepareTools?: () => Promise<void>;
  /** Closes the MCP connections. */
  close(): Promise<void>;
}

export interface ToolsInput {
  config: Config;
  paths: Paths;
  /** Things the user should see (a failed MCP server). */
  warn: (line: string) => void;
  /** Detail (what a stdio server prints on stderr). */
  log: (line: string) => void;
  /** Tools that need the runtime (message, spawn, cron), added by `kavilo start`. */
  extraTools?: Tool[] | undefined;
  /** Where approval decisions are logged (who allowed or denied what); default `log`. */
  approvalLog?: ((line: string) => void) | undefined;
  /** tools.approval.mode when unset: "ask" for the TUI and `kavilo start`; default "auto". */
  approvalDefault?: ApprovalMode | undefined;
  /** Interactive front-ends: a browser login when an MCP tool call needs more scope. */
  mcpStepUp?: McpStepUp | undefined;
  /** Status lines while the user waits (MCP servers still connecting after 2 s). */
  progress?: ((line: string) => void) | undefined;
}

/**
 * The tool registry: built-ins, the runtime's tools, the in-process self tools, and the MCP pool.
 * The built-ins and self tools are listed from the tool catalog the build compiled in and loaded on
 * their first call: telling the model which tools exist loads no tool module (and no zod).
 */
export async function composeTools(ctx: CliContext, input: ToolsInput): Promise<ComposedTools> {
  const { config, paths, warn, log } = input;
  const registry = new ToolRegistry();
  // tools.approval: risky calls (shell, writes outside the workspace) ask, or are refused, first.
  registry.setGate(
    createApprovalGate({
      settings: () => approvalSettingsOf(config.tools),
      configFile: paths.config,
      log: input.approvalLog ?? log,
      ...(input.approvalDefault ? { defaultMode: input.approvalDefault } : {}),
    }),
  );
  // Files users send on Telegram/Slack land in the profile's media/; the agent may read them there,
  // and the built-in skills' SKILL.md files, which live with kavilo itself.
  const skills = builtinSkillsDir();
  const readRoots = skills ? [paths.media, skills] : [paths.media];
  const [builtinCatalog, selfCatalog] = await Promise.all([builtinToolCatalog(), selfToolCatalog()]);
  // The sessions folder (inside the workspace) is off limits: no chat reads or rewrites another's history.
  const builtinOptions = { tools: config.tools, readRoots, denyRoots: [paths.sessions] };
  for (const tool of lazyBuiltinTools(builtinCatalog, builtinOptions)) registry.register(tool);
  for (const tool of input.extraTools ?? []) registry.register(tool);
  // The `mcp serve self` tools, in-process (kavilo_status, kavilo_list_sessions, ...). Sending goes
  // through the runtime's `message` tool, so the self server's send tool is left out here.
  for (const tool of lazySelfAgentTools(selfCatalog, selfDepsOf(ctx), {
    exclude: ["send_channel_message"],
  })) {
    registry.register(tool);
  }
  // The `mcp serve slack` tools, in-process (slack_user_*), when a Slack MCP alias is logged in. Their
  // descriptions name the aliases, so they come from their module, loaded only then.
  const slackAliases = listSlackAliasesSync(paths);
  if (slackAliases.length > 0) {
    const { slackToolsAsAgentTools } = await import("../../mcp/servers/slack/agent-tools.js");
    for (const tool of slackToolsAsAgentTools({ aliases: slackAliases, paths, env: ctx.env, log })) {
      registry.register(tool);
    }
  }

  const servers = Object.values(config.tools.mcpServers).filter((s) => s.enabled);
  if (servers.length === 0) return { registry, close: async () => {} };
  let pool: Promise<McpPool> | undefined;
  let sync: ((tools: Tool[]) => void) | undefined;
  let close = async () => {};
  // Runs before every turn: the pool reconnects failed servers once their backoff passed
  // (a login done meanwhile, a server back from an outage) and the registry follows its tools.
  const prepareTools = async () => {
    pool ??= (async () => {
      const [{ createMcpPool }, { createRegistrySync }] = await Promise.all([
        import("../../mcp/client/pool.js"),
        import("../../mcp/client/registry-sync.js"),
      ]);
      // A failed server is a warning; what a stdio server prints on stderr is detail.
      const created = createMcpPool({
        servers: config.tools.mcpServers,
        paths,
        log: warn,
        stderrLog: log,
        ...(input.mcpStepUp ? { stepUp: input.mcpStepUp } : {}),
      });
      sync = createRegistrySync(registry, warn);
      close = () => created.close();
      return created;
    })();
    const ready = await pool;
    // No silent waits: a server slow to start is named after 2 s.
    const slow = setTimeout(() => {
      const waiting = ready.pending();
      if (waiting.length > 0) input.progress?.(`waiting for MCP server ${waiting.join(", ")} to start…`);
    }, 2_000);
    try {
      await ready.connect();
    } finally {
      clearTimeout(slow);
    }
    sync?.(ready.tools());
  };
  return { registry, prepareTools, close: () => close() };
}
