import { realpathSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { Agent } from "../core/agent/agent.js";
import { applyEnvOverlays } from "../core/config/overlay.js";
import { SessionStore } from "../core/session/session-store.js";
import { createBuiltinTools } from "../core/tools/builtin.js";
import { ToolRegistry } from "../core/tools/registry.js";
import type { Tool } from "../core/tools/types.js";
import { UsageLog } from "../core/usage.js";
import { selfToolsAsAgentTools } from "../mcp/servers/self/agent-tools.js";
import { createProvider } from "../providers/create.js";
import { httpPolicyFromEnv } from "../providers/http-policy.js";
import { probeOllama } from "../providers/ollama-probe.js";
import { type ResolvedProvider, resolveProvider } from "../providers/resolve.js";
import { selfDepsOf } from "./commands/mcp-serve.js";
import type { CliContext } from "./context.js";

export interface ComposeOptions {
  model?: string;
  /** Detail for --debug and the log file (provider retries, timings). */
  log?: (line: string) => void;
  /** Things the user should see (a failed MCP server, a damaged session file). */
  warn?: (line: string) => void;
  /** Tools that need the runtime (message, spawn, cron), added by `kavilo start`. */
  extraTools?: Tool[];
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
 * The composition root shared by `agent -m`, the TUI and `start`: resolves the provider, builds the
 * tool registry (built-ins, MCP servers connected lazily, runtime tools) and the loop.
 */
export async function composeAgent(ctx: CliContext, opts: ComposeOptions = {}): Promise<ComposedAgent> {
  const { config, paths } = ctx.config();
  const log = opts.log ?? ((line: string) => ctx.debug && process.stderr.write(`kavilo: ${line}\n`));
  const warn = opts.warn ?? ((line: string) => ctx.warn(line));
  const d = config.agents.defaults;
  // --model is KAVILO_MODEL by another name: the same overlay picks the provider KAVILO_API_KEY/BASE apply to.
  const env = opts.model ? { ...ctx.env, KAVILO_MODEL: opts.model } : ctx.env;
  const resolved = await resolveProvider({
    config: opts.model ? applyEnvOverlays(ctx.config().loaded.config, env).config : config,
    env,
    probeOllama: (at) => probeOllama(env, undefined, at),
  });
  const provider = createProvider(resolved, { policy: httpPolicyFromEnv(ctx.env), log });
  await mkdir(paths.workspace, { recursive: true });
  const workspace = realpathSync(paths.workspace);

  const registry = new ToolRegistry();
  // Files users send on Telegram/Slack land in the profile's media/; the agent may read them there.
  for (const tool of createBuiltinTools({ tools: config.tools, readRoots: [paths.media] }))
    registry.register(tool);
  for (const tool of opts.extraTools ?? []) registry.register(tool);
  // The `mcp serve self` tools, in-process (kavilo_status, kavilo_list_sessions, ...). Sending goes
  // through the runtime's `message` tool, so the self server's send tool is left out here.
  for (const tool of selfToolsAsAgentTools(selfDepsOf(ctx), { exclude: ["send_channel_message"] })) {
    registry.register(tool);
  }

  const servers = Object.entries(config.tools.mcpServers).filter(([, s]) => s.enabled);
  let closeMcp = async () => {};
  let prepareTools: (() => Promise<void>) | undefined;
  if (servers.length > 0) {
    let pool: Promise<import("../mcp/client/pool.js").McpPool> | undefined;
    let sync: ((tools: Tool[]) => void) | undefined;
    // Runs before every turn: the pool reconnects failed servers once their backoff passed
    // (a login done meanwhile, a server back from an outage) and the registry follows its tools.
    prepareTools = async () => {
      pool ??= (async () => {
        const [{ createMcpPool }, { createRegistrySync }] = await Promise.all([
          import("../mcp/client/pool.js"),
          import("../mcp/client/registry-sync.js"),
        ]);
        // A failed server is a warning; what a stdio server prints on stderr is detail.
        const created = createMcpPool({ servers: config.tools.mcpServers, paths, log: warn, stderrLog: log });
        sync = createRegistrySync(registry, warn);
        closeMcp = () => created.close();
        return created;
      })();
      const ready = await pool;
      await ready.connect();
      sync?.(ready.tools());
    };
  }

  const sessions = new SessionStore(paths.sessions);
  const usage = new UsageLog(paths.usage);
  const agent = new Agent({
    provider,
    providerName: resolved.name,
    model: resolved.model,
    tools: registry,
    ...(prepareTools ? { prepareTools } : {}),
    sessions,
    usage,
    workspace,
    restrictToWorkspace: config.tools.restrictToWorkspace,
    ...(d.timezone ? { timezone: d.timezone } : {}),
    maxIterations: d.maxToolIterations,
    maxTokens: d.maxTokens,
    warn,
    ...(d.temperature !== undefined ? { temperature: d.temperature } : {}),
    ...(d.reasoningEffort ? { reasoningEffort: d.reasoningEffort } : {}),
    log,
  });
  return { agent, resolved, registry, sessions, usage, close: () => closeMcp() };
}
