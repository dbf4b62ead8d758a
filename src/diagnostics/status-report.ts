import { existsSync } from "node:fs";
import { claudeLoginProviders } from "../auth/claude/credentials.js";
import type { Paths } from "../core/base/paths.js";
import { redactString } from "../core/base/redact.js";
import { kaviloVersion } from "../core/base/version.js";
import { channelState } from "../core/config/channels.js";
import { ConfigError, type LoadedConfig } from "../core/config/load.js";
import type { Config, McpServerConfig } from "../core/config/schema.js";
import type { ResolvedHome } from "../core/home.js";
import type { McpAuthState } from "../mcp/client/auth-state.js";
import { probeOllama } from "../providers/ollama-probe.js";
import { NoProviderError, resolveProvider } from "../providers/resolve.js";
import { PROVIDER_SPECS } from "../providers/specs.js";
import { type RefresherReport, refresherReport } from "../refreshers/report.js";

/** What the diagnostics read: the resolved home, and config.json with env overlays (throws ConfigError). */
export interface DiagnosticsContext {
  home: ResolvedHome;
  /** Paths with the default workspace. */
  basePaths: Paths;
  env: NodeJS.ProcessEnv;
  config(): { config: Config; loaded: LoadedConfig; applied: string[]; paths: Paths };
}

export interface StatusReport {
  version: string;
  home: string;
  profile: string | null;
  homeSource: string;
  config: { path: string; exists: boolean; valid: boolean; error?: string; warnings: string[] };
  envOverlays: string[];
  provider: { name: string; model: string; apiBase: string | null; reason: string } | { error: string };
  keys: Array<{ provider: string; env: string | null; inEnv: boolean; inConfig: boolean }>;
  channels: {
    telegram: { enabled: boolean; configured: boolean };
    slack: { enabled: boolean; configured: boolean };
  };
  mcpServers: Array<{
    alias: string;
    transport: "stdio" | "http";
    enabled: boolean;
    auth: string | null;
    /** OAuth login state of an http server (kavilo mcp login); present/missing for a bearer or Slack token file. */
    authState?: { state: "none" | "missing" | "valid" | "expired" | "present"; expiresAt?: string };
    /** Why the auth state could not be read (a damaged token file), in one line. */
    authError?: string;
    /** Live check: connected (with its tool count) or failed (with the reason). */
    state?: "connected" | "failed" | "disabled" | "not-started";
    error?: string;
    toolCount?: number;
  }>;
  workspace: { path: string; exists: boolean };
  /** The token refreshers of `kavilo start` and the Codex login (absent when the config is invalid). */
  refreshers?: RefresherReport;
}

async function providerLine(ctx: DiagnosticsContext, config: Config): Promise<StatusReport["provider"]> {
  try {
    const r = await resolveProvider({
      config,
      env: ctx.env,
      probeOllama: (at) => probeOllama(ctx.env, undefined, at),
      // A Claude Pro/Max login stands in for an anthropic key, as it does for agent runs.
      loggedIn: claudeLoginProviders(config.agents.defaults.model, ctx.config().paths, ctx.env),
    });
    return { name: r.name, model: r.model, apiBase: r.apiBase ?? null, reason: r.reason };
  } catch (err) {
    if (err instanceof NoProviderError) return { error: err.message };
    throw err;
  }
}

/** The provider was named by the environment, not the file: say which variable (KAVILO_API_BASE picks one). */
function withEnvOrigin(
  line: StatusReport["provider"],
  file: Config,
  config: Config,
  applied: string[],
): StatusReport["provider"] {
  if ("error" in line || line.reason !== "set by agents.defaults.provider") return line;
  if (file.agents.defaults.provider === config.agents.defaults.provider) return line;
  const by = applied.includes("KAVILO_PROVIDER") ? "KAVILO_PROVIDER" : "KAVILO_API_BASE";
  return { ...line, reason: `set by ${by}` };
}

/** Connects the configured MCP servers once (concurrently, with their timeouts) to report their state. */
async function mcpLine(config: Config, paths: ReturnType<DiagnosticsContext["config"]>["paths"]) {
  const entries = Object.entries(config.tools.mcpServers);
  if (entries.length === 0) return [];
  const [{ mcpAuthState }, { oneLine }] = await Promise.all([
    import("../mcp/client/auth-state.js"),
    import("../mcp/client/one-line.js"),
  ]);
  // One server's damaged token file is that server's problem, not the whole report's.
  const authOf = async (alias: string, s: McpServerConfig) => {
    if (s.type !== "http") return {};
    const a: McpAuthState = await mcpAuthState(alias, s, paths);
    if (a.state === "error") return { authError: redactString(oneLine(a.error)) };
    return {
      authState: { state: a.state, ...("expiresAt" in a && a.expiresAt ? { expiresAt: a.expiresAt } : {}) },
    };
  };
  const live = new Map<
    string,
    { state: NonNullable<StatusReport["mcpServers"][number]["state"]>; error?: string; toolCount: number }
  >();
  if (entries.some(([, s]) => s.enabled)) {
    const { createMcpPool } = await import("../mcp/client/pool.js");
    // A status check waits at most 10 s for a server, whatever timeoutS allows an agent turn.
    const pool = createMcpPool({
      servers: config.tools.mcpServers,
      paths,
      log: () => {},
      stderrLog: () => {},
      connectTimeoutMs: 10_000,
    });
    try {
      await pool.connect();
      for (const st of pool.status()) {
        live.set(st.alias, {
          state: st.state,
          toolCount: st.toolCount,
          ...(st.error ? { error: st.error } : {}),
        });
      }
    } finally {
      await pool.close();
    }
  }
  return Promise.all(
    entries.map(async ([alias, s]) => {
      const http = "url" in s;
      const auth = s.auth?.provider ?? null;
      const st = live.get(alias);
      return {
        alias,
        transport: (http ? "http" : "stdio") as "http" | "stdio",
        enabled: s.enabled,
        auth,
        ...(await authOf(alias, s)),
        ...(st
          ? {
              state: st.state,
              toolCount: st.toolCount,
              ...(st.error ? { error: redactString(st.error) } : {}),
            }
          : {}),
      };
    }),
  );
}

/** The report of `kavilo status --json` and the self server's `status` tool. */
export async function buildStatus(
  ctx: DiagnosticsContext,
  opts: { connectMcp?: boolean } = {},
): Promise<StatusReport> {
  const base: Omit<
    StatusReport,
    "provider" | "keys" | "channels" | "mcpServers" | "workspace" | "envOverlays"
  > = {
    version: kaviloVersion(),
    home: ctx.home.home,
    profile: ctx.home.profile ?? null,
    homeSource: ctx.home.source,
    config: {
      path: ctx.basePaths.config,
      exists: existsSync(ctx.basePaths.config),
      valid: true,
      warnings: [],
    },
  };
  let resolved: ReturnType<DiagnosticsContext["config"]>;
  try {
    resolved = ctx.config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      ...base,
      config: { ...base.config, valid: false, error: err.message },
      envOverlays: [],
      provider: { error: "config is invalid" },
      keys: [],
      channels: {
        telegram: { enabled: false, configured: false },
        slack: { enabled: false, configured: false },
      },
      mcpServers: [],
      workspace: { path: ctx.basePaths.workspace, exists: existsSync(ctx.basePaths.workspace) },
    };
  }
  const { config, loaded, applied, paths } = resolved;
  const fileProviders = (loaded.raw.providers ?? {}) as Record<string, { apiKey?: unknown }>;
  return {
    ...base,
    config: { ...base.config, warnings: loaded.warnings },
    envOverlays: applied,
    provider: withEnvOrigin(await providerLine(ctx, config), loaded.config, config, applied),
    // Where each provider's key comes from (never the key): its env variable, KAVILO_API_KEY, or the file.
    keys: PROVIDER_SPECS.flatMap((s) => {
      const ownEnv = Boolean(s.envKey && ctx.env[s.envKey]);
      const kaviloKey =
        !ownEnv &&
        applied.includes("KAVILO_API_KEY") &&
        config.providers[s.name]?.apiKey === ctx.env.KAVILO_API_KEY?.trim();
      const inConfig = Boolean(fileProviders[s.name]?.apiKey);
      if (!ownEnv && !kaviloKey && !inConfig) return [];
      const env = ownEnv ? (s.envKey ?? null) : kaviloKey ? "KAVILO_API_KEY" : (s.envKey ?? null);
      return [{ provider: s.name, env, inEnv: ownEnv || kaviloKey, inConfig }];
    }),
    channels: {
      telegram: channelState(config, "telegram"),
      slack: channelState(config, "slack"),
    },
    mcpServers:
      opts.connectMcp === false
        ? Object.entries(config.tools.mcpServers).map(([alias, s]) => ({
            alias,
            transport: "url" in s ? ("http" as const) : ("stdio" as const),
            enabled: s.enabled,
            auth: s.auth?.provider ?? null,
          }))
        : await mcpLine(config, paths),
    workspace: { path: paths.workspace, exists: existsSync(paths.workspace) },
    refreshers: await refresherReport({
      home: paths.home,
      config,
      env: ctx.env,
      wantCodexLogin: config.agents.defaults.provider === "openai_codex",
    }),
  };
}
