import { kaviloVersion } from "../core/base/version.js";
import type { ChannelState } from "../core/config/channels.js";
import { ConfigError } from "../core/config/load.js";
import type { RefresherReport } from "../refreshers/report.js";
import type { ApprovalState } from "./approvals.js";
import { diagnosticProbes } from "./index.js";
import { type McpRow, mcpChecks, mcpRows, mcpRowsOffline } from "./mcp.js";
import type { KeySource, ProviderLine } from "./provider.js";
import { collectChecks } from "./run.js";
import type { Check, DiagnosticsContext, Probe } from "./types.js";

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
  keys: KeySource[];
  channels: { telegram: ChannelState; slack: ChannelState };
  mcpServers: McpRow[];
  workspace: { path: string; exists: boolean };
  /** tools.approval: the mode in effect per front-end (absent when the config is invalid). */
  approvals?: ApprovalState;
  /** The token refreshers of `kavilo start` and the Codex login (absent when the config is invalid). */
  refreshers?: RefresherReport;
  /** The diagnostics checks that need no network (and the MCP servers' when they were connected). */
  checks: ReportedCheck[];
}

function reported(checks: readonly Check[]): ReportedCheck[] {
  return checks.map(({ repair: _repair, data: _data, ...c }) => c);
}

/** The `data` a check carries for the report's fields (see each area's check). */
function dataOf<T>(checks: readonly Check[], id: string, key?: string): T | undefined {
  const data = checks.find((c) => c.id === id || (key !== undefined && c.id.startsWith(id)))?.data;
  return (key ? data?.[key] : data) as T | undefined;
}

const OFF: ChannelState = { enabled: false, configured: false };

/**
 * The report of `kavilo status --json` and the self server's `status` tool. Every field is a view of
 * the diagnostics checks (no network: the MCP servers are connected unless `connectMcp` is false),
 * so status and `doctor` cannot disagree: nothing here looks at config, keys or files itself.
 */
export async function buildStatus(
  ctx: DiagnosticsContext,
  opts: { connectMcp?: boolean; extra?: readonly Probe[] } = {},
): Promise<StatusReport> {
  const local = collectChecks(diagnosticProbes(ctx, { network: false, extra: opts.extra ?? [] }));
  let config: ReturnType<DiagnosticsContext["config"]> | undefined;
  try {
    config = ctx.config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
  }
  // A status check waits at most 10 s for an MCP server, whatever timeoutS allows an agent turn.
  const [checks, mcpServers] = await Promise.all([
    local,
    !config
      ? []
      : opts.connectMcp === false
        ? mcpRowsOffline(config.config)
        : mcpRows(config.config, config.paths, 10_000),
  ]);
  const cfg = dataOf<StatusReport["config"]>(checks, "config.file");
  const refreshers = dataOf<RefresherReport>(checks, "refreshers", "report");
  const approvals = dataOf<ApprovalState>(checks, "tools.approval");
  return {
    version: kaviloVersion(),
    home: ctx.home.home,
    profile: ctx.home.profile ?? null,
    homeSource: ctx.home.source,
    config: cfg ?? { path: ctx.basePaths.config, exists: false, valid: false, warnings: [] },
    envOverlays: dataOf<string[]>(checks, "config.env", "applied") ?? [],
    provider: dataOf<ProviderLine>(checks, "provider.resolve", "line") ?? { error: "config is invalid" },
    keys: dataOf<KeySource[]>(checks, "provider.keys", "keys") ?? [],
    channels: {
      telegram: dataOf<ChannelState>(checks, "channels.telegram") ?? OFF,
      slack: dataOf<ChannelState>(checks, "channels.slack") ?? OFF,
    },
    mcpServers,
    workspace: dataOf<StatusReport["workspace"]>(checks, "home.workspace") ?? {
      path: ctx.basePaths.workspace,
      exists: false,
    },
    ...(approvals ? { approvals } : {}),
    ...(refreshers ? { refreshers } : {}),
    checks: reported([...checks, ...(opts.connectMcp === false || !config ? [] : mcpChecks(mcpServers))]),
  };
}
