import { existsSync } from "node:fs";
import { kaviloVersion } from "../core/base/version.js";
import { channelState } from "../core/config/channels.js";
import { ConfigError } from "../core/config/load.js";
import { PROVIDER_SPECS } from "../providers/specs.js";
import { type RefresherReport, refresherReport } from "../refreshers/report.js";
import { diagnosticProbes } from "./index.js";
import { type McpRow, mcpChecks, mcpRows, mcpRowsOffline } from "./mcp.js";
import { type ProviderLine, providerLine } from "./provider.js";
import { collectChecks } from "./run.js";
import type { Check, DiagnosticsContext } from "./types.js";

export type { DiagnosticsContext } from "./types.js";

/** A check as a report shows it: no repair plan (it may hold config values), no raw data. */
export type ReportedCheck = Omit<Check, "repair" | "data">;

export interface StatusReport {
  version: string;
  home: string;
  profile: string | null;
  homeSource: string;
  config: { path: string; exists: boolean; valid: boolean; error?: string; warnings: string[] };
  envOverlays: string[];
  provider: ProviderLine;
  keys: Array<{ provider: string; env: string | null; inEnv: boolean; inConfig: boolean }>;
  channels: {
    telegram: { enabled: boolean; configured: boolean };
    slack: { enabled: boolean; configured: boolean };
  };
  mcpServers: McpRow[];
  workspace: { path: string; exists: boolean };
  /** The token refreshers of `kavilo start` and the Codex login (absent when the config is invalid). */
  refreshers?: RefresherReport;
  /** The diagnostics checks that need no network (and the MCP servers' when they were connected). */
  checks: ReportedCheck[];
}

function reported(checks: readonly Check[]): ReportedCheck[] {
  return checks.map(({ repair: _repair, data: _data, ...c }) => c);
}

/** The report of `kavilo status --json` and the self server's `status` tool. */
export async function buildStatus(
  ctx: DiagnosticsContext,
  opts: { connectMcp?: boolean } = {},
): Promise<StatusReport> {
  const base: Omit<
    StatusReport,
    "provider" | "keys" | "channels" | "mcpServers" | "workspace" | "envOverlays" | "checks"
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
  // The quick checks (no network) run beside the report's own reads.
  const local = collectChecks(diagnosticProbes(ctx, { network: false }));
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
      checks: reported(await local),
    };
  }
  const { config, loaded, applied, paths } = resolved;
  const fileProviders = (loaded.raw.providers ?? {}) as Record<string, { apiKey?: unknown }>;
  // A status check waits at most 10 s for an MCP server, whatever timeoutS allows an agent turn.
  const [provider, mcpServers, refreshers, checks] = await Promise.all([
    providerLine(ctx),
    opts.connectMcp === false ? mcpRowsOffline(config) : mcpRows(config, paths, 10_000),
    refresherReport({
      home: paths.home,
      config,
      env: ctx.env,
      wantCodexLogin: config.agents.defaults.provider === "openai_codex",
    }),
    local,
  ]);
  return {
    ...base,
    config: { ...base.config, warnings: loaded.warnings },
    envOverlays: applied,
    provider,
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
    mcpServers,
    workspace: { path: paths.workspace, exists: existsSync(paths.workspace) },
    refreshers,
    checks: reported([...checks, ...(opts.connectMcp === false ? [] : mcpChecks(mcpServers))]),
  };
}
