import { existsSync } from "node:fs";
import { redactString } from "../../core/base/redact.js";
import { ConfigError } from "../../core/config/load.js";
import type { Config, McpServerConfig } from "../../core/config/schema.js";
import { probeOllama } from "../../providers/ollama-probe.js";
import { NoProviderError, resolveProvider } from "../../providers/resolve.js";
import { PROVIDER_SPECS } from "../../providers/specs.js";
import type { CliContext } from "../context.js";

export interface StatusReport {
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
    authState?: { state: "missing" | "valid" | "expired" | "present"; expiresAt?: string };
    /** Why the auth state could not be read (a damaged token file), in one line. */
    authError?: string;
    /** Live check: connected (with its tool count) or failed (with the reason). */
    state?: "connected" | "failed" | "disabled" | "not-started";
    error?: string;
    toolCount?: number;
  }>;
  workspace: { path: string; exists: boolean };
}

async function providerLine(ctx: CliContext, config: Config): Promise<StatusReport["provider"]> {
  try {
    const r = await resolveProvider({
      config,
      env: ctx.env,
      probeOllama: (at) => probeOllama(ctx.env, undefined, at),
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
async function mcpLine(config: Config, paths: ReturnType<CliContext["config"]>["paths"]) {
  const entries = Object.entries(config.tools.mcpServers);
  if (entries.length === 0) return [];
  const [{ authStatus }, { readMcpServerToken }, { oneLine }] = await Promise.all([
    import("../../auth/mcp/token.js"),
    import("../../auth/mcp/server-token.js"),
    import("../../mcp/client/one-line.js"),
  ]);
  // One server's damaged token file is that server's problem, not the whole report's.
  const authOf = async (alias: string, s: McpServerConfig) => {
    if (!("url" in s)) return {};
    try {
      if (s.auth?.provider === "bearer" || s.auth?.provider === "slack") {
        const token = await readMcpServerToken(alias, s.auth, paths);
        return { authState: { state: token ? ("present" as const) : ("missing" as const) } };
      }
      return { authState: await authStatus(alias, paths) };
    } catch (err) {
      return { authError: redactString(oneLine((err as Error).message)) };
    }
  };
  const live = new Map<
    string,
    { state: NonNullable<StatusReport["mcpServers"][number]["state"]>; error?: string; toolCount: number }
  >();
  if (entries.some(([, s]) => s.enabled)) {
    const { createMcpPool } = await import("../../mcp/client/pool.js");
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

export async function buildStatus(
  ctx: CliContext,
  opts: { connectMcp?: boolean } = {},
): Promise<StatusReport> {
  const base: Omit<
    StatusReport,
    "provider" | "keys" | "channels" | "mcpServers" | "workspace" | "envOverlays"
  > = {
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
  let resolved: ReturnType<CliContext["config"]>;
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
      telegram: {
        enabled: config.channels.telegram.enabled,
        configured: Boolean(config.channels.telegram.token),
      },
      slack: {
        enabled: config.channels.slack.enabled,
        configured: Boolean(config.channels.slack.botToken && config.channels.slack.appToken),
      },
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
  };
}

/** The auth part of an MCP row: login or token-file state, nothing for a server that needs none. */
function mcpAuthText(m: StatusReport["mcpServers"][number]): string {
  if (m.authError) return `, auth error: ${m.authError}`;
  const a = m.authState;
  if (m.auth === "bearer" || m.auth === "slack") return `, ${m.auth} token ${a?.state ?? "not checked"}`;
  if (!a) return m.auth ? `, auth ${m.auth}` : "";
  // Connected without a login: the server asks for none.
  if (a.state === "missing" && m.state === "connected") return m.auth ? ", no login needed" : "";
  return `, login ${a.state}${a.expiresAt ? ` (expires ${a.expiresAt})` : ""}`;
}

function render(r: StatusReport): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${k.padEnd(12)} ${v}`);
  row("home", `${r.home} (${r.homeSource})`);
  row("profile", r.profile ?? "(custom KAVILO_HOME)");
  const cfg = r.config;
  row(
    "config",
    `${cfg.path} ${!cfg.exists ? "(missing: defaults apply)" : cfg.valid ? "(valid)" : "(INVALID)"}`,
  );
  if (cfg.error) row("", cfg.error);
  for (const w of cfg.warnings) row("", `warning: ${w}`);
  if (r.envOverlays.length) row("env", r.envOverlays.join(", "));
  if ("error" in r.provider) row("provider", `none: ${r.provider.error}`);
  else {
    row("provider", `${r.provider.name} (${r.provider.reason})`);
    row("model", r.provider.model);
    if (r.provider.apiBase) row("api base", r.provider.apiBase);
  }
  row(
    "keys",
    r.keys.length
      ? r.keys
          .map(
            (k) =>
              `${k.provider} (${[k.inEnv ? k.env : "", k.inConfig ? "config" : ""].filter(Boolean).join(", ")})`,
          )
          .join(", ")
      : "none",
  );
  const ch = (name: string, c: { enabled: boolean; configured: boolean }) =>
    `${name}: ${c.enabled ? "enabled" : "disabled"}${c.enabled && !c.configured ? " (missing token)" : ""}`;
  row("channels", `${ch("telegram", r.channels.telegram)}, ${ch("slack", r.channels.slack)}`);
  if (r.mcpServers.length === 0) row("mcp", "none");
  r.mcpServers.forEach((m, i) => {
    const state = !m.enabled
      ? "disabled"
      : m.state === "connected"
        ? `connected, ${m.toolCount} tools`
        : m.state === "failed"
          ? `FAILED: ${m.error ?? "unknown reason"}`
          : (m.state ?? "not checked");
    row(i === 0 ? "mcp" : "", `${m.alias} (${m.transport}${mcpAuthText(m)}): ${state}`);
  });
  row("workspace", `${r.workspace.path}${r.workspace.exists ? "" : " (missing: run kavilo onboard)"}`);
  return `${lines.join("\n")}\n`;
}

export default async function status(
  ctx: CliContext,
  opts: { json?: boolean; mcp?: boolean } = {},
): Promise<number> {
  const report = await buildStatus(ctx, { connectMcp: opts.mcp !== false });
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.config.valid ? 0 : 2;
}
