import { realpathSync } from "node:fs";
import { Agent } from "../../core/agent/agent.js";
import { tightenOwnFolders } from "../../core/base/private-folders.js";
import { redactText } from "../../core/base/redact.js";
import { ensureWorkspaceDir } from "../../core/config/load.js";
import { profileSecretValues } from "../../core/config/secret-paths.js";
import { SessionStore } from "../../core/session/session-store.js";
import type { ApprovalMode } from "../../core/tools/approval.js";
import type { ToolRegistry } from "../../core/tools/registry.js";
import type { Tool } from "../../core/tools/types.js";
import { UsageLog } from "../../core/usage.js";
import type { McpStepUp } from "../../mcp/client/types.js";
import type { ResolvedProvider } from "../../providers/resolve.js";
import type { CliContext } from "../context.js";
import { composeProvider } from "./provider.js";
import { composeTools } from "./tools.js";

export interface ComposeOptions {
  model?: string;
  /** Detail for --debug and the log file (provider retries, timings). */
  log?: (line: string) => void;
  /** Things the user should see (a failed MCP server, a damaged session file). */
  warn?: (line: string) => void;
  /** Tools that need the runtime (message, spawn, cron), added by `kavilo start`. */
  extraTools?: Tool[];
  /** Memory consolidation runs beside the turn instead of before it (`kavilo start`'s channels). */
  backgroundMemory?: boolean;
  /** A line while the turn waits on a memory consolidation (agent -m on stderr, the TUI as a note). */
  progress?: (line: string) => void;
  /** Interactive front-ends: log in again when an MCP tool call needs more scope, then retry it. */
  mcpStepUp?: McpStepUp;
  /** Where approval decisions (tools.approval) are logged; default `log`. `kavilo start`: info. */
  approvalLog?: (line: string) => void;
  /** tools.approval.mode when the config leaves it unset: "ask" for the TUI and `kavilo start`; default "auto". */
  approvalDefault?: ApprovalMode;
  /** A turn runs at once (`agent -m`): the provider's SDK loads during the rest of the set-up. */
  oneShot?: boolean;
}

export interface ComposedAgent {
  agent: Agent;
  resolved: ResolvedProvider;
  registry: ToolRegistry;
  sessions: SessionStore;
  usage: UsageLog;
  close(): Promise<void>;
}

/**
 * The agent every front-end runs (`agent -m`, the TUI, `start`, `cron run`): the provider
 * (provider.ts), the tool registry (tools.ts), the session store, the usage log and the loop.
 */
export async function composeAgent(ctx: CliContext, opts: ComposeOptions = {}): Promise<ComposedAgent> {
  const { config, paths } = ctx.config();
  // Masked here for every front-end, as kavilo start's logger does: what an MCP child prints on
  // stderr (its env holds keys) and a failed server's explanation pass through these two. The
  // secrets are gathered at the first line: most one-shot runs log nothing.
  let secrets: string[] | undefined;
  const mask = (line: string) => {
    secrets ??= profileSecretValues(config, ctx.env);
    return redactText(line, secrets);
  };
  const baseLog = opts.log ?? ((line: string) => ctx.debug && process.stderr.write(`kavilo: ${line}\n`));
  const baseWarn = opts.warn ?? ((line: string) => ctx.warn(line));
  const log = (line: string) => baseLog(mask(line));
  const warn = (line: string) => baseWarn(mask(line));
  const d = config.agents.defaults;
  const { resolved, provider } = await composeProvider(ctx, { model: opts.model, log, eager: opts.oneShot });
  await ensureWorkspaceDir(paths.workspace, paths.config);
  // Folders an older kavilo (or the umask) left readable by others become private (0700).
  for (const dir of await tightenOwnFolders(paths)) log(`made ${dir} private (0700)`);
  const workspace = realpathSync(paths.workspace);
  const tools = await composeTools(ctx, {
    config,
    paths,
    warn,
    log,
    extraTools: opts.extraTools,
    mcpStepUp: opts.mcpStepUp,
    approvalLog: opts.approvalLog,
    approvalDefault: opts.approvalDefault,
    progress: opts.progress,
  });

  const sessions = new SessionStore(paths.sessions);
  const usage = new UsageLog(paths.usage);
  const agent = new Agent({
    provider,
    providerName: resolved.name,
    model: resolved.model,
    tools: tools.registry,
    ...(tools.prepareTools ? { prepareTools: tools.prepareTools } : {}),
    sessions,
    usage,
    workspace,
    restrictToWorkspace: config.tools.restrictToWorkspace,
    ...(d.timezone ? { timezone: d.timezone } : {}),
    maxIterations: d.maxToolIterations,
    maxTokens: d.maxTokens,
    warn,
    ...(opts.progress ? { progress: opts.progress } : {}),
    ...(d.temperature !== undefined ? { temperature: d.temperature } : {}),
    ...(d.reasoningEffort ? { reasoningEffort: d.reasoningEffort } : {}),
    context: {
      contextWindow: d.contextWindow,
      contextBudget: d.contextBudget,
      memory: d.memory,
      memoryModel: d.memoryModel,
      background: opts.backgroundMemory ?? false,
    },
    log,
  });
  // A consolidation still running (channels) finishes before the tools and the process go.
  const close = () => agent.context.idle().then(() => tools.close());
  return { agent, resolved, registry: tools.registry, sessions, usage, close };
}
