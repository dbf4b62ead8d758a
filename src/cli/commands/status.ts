import { buildStatus, type StatusReport } from "../../diagnostics/status-report.js";
import { describeRefreshers } from "../../refreshers/describe.js";
import type { CliContext } from "../context.js";
import { serviceProbe } from "../service/check.js";

/** The auth part of an MCP row: login or token-file state, nothing for a server that needs none. */
function mcpAuthText(m: StatusReport["mcpServers"][number]): string {
  if (m.authError) return `, auth error: ${m.authError}`;
  const a = m.authState;
  if (m.auth === "bearer" || m.auth === "slack") return `, ${m.auth} token ${a?.state ?? "not checked"}`;
  if (!a) return m.auth ? `, auth ${m.auth}` : "";
  if (a.state === "none") return "";
  // Connected without a login: the server asks for none.
  if (a.state === "missing" && m.state === "connected") return m.auth ? ", no login needed" : "";
  return `, login ${a.state}${a.expiresAt ? ` (expires ${a.expiresAt})` : ""}`;
}

/** tools.approval in effect: one mode everywhere, or each front-end's default. */
function approvalsText(a: NonNullable<StatusReport["approvals"]>): string {
  const allow = a.execAllow.length ? `; never ask: ${a.execAllow.join(", ")}` : "";
  const modes = a.configured
    ? `${a.configured} (tools.approval.mode)`
    : `${a.tui} in the TUI and kavilo start, ${a.oneShot} in agent -m and cron run (default)`;
  return `${modes}${allow}`;
}

function render(r: StatusReport): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${k.padEnd(12)} ${v}`);
  row("version", r.version);
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
  if (r.approvals) row("approvals", approvalsText(r.approvals));
  if (r.refreshers) for (const [k, v] of describeRefreshers(r.refreshers)) row(k, v);
  // The diagnostics checks: only what needs a look, each with its fix; kavilo doctor shows them all.
  const problems = r.checks.filter((c) => c.status === "warn" || c.status === "fail");
  if (problems.length === 0)
    row("checks", `${r.checks.length} checks, no problems (kavilo doctor also tests the network)`);
  problems.forEach((c, i) => {
    row(
      i === 0 ? "checks" : "",
      `${c.status === "fail" ? "FAIL" : "warn"} ${c.summary}${c.fix ? ` → ${c.fix}` : ""}`,
    );
  });
  return `${lines.join("\n")}\n`;
}

export default async function status(
  ctx: CliContext,
  opts: { json?: boolean; mcp?: boolean } = {},
): Promise<number> {
  // Its config warnings are rows of the report: not repeated on stderr.
  ctx.muteConfigWarnings?.();
  const extra = [serviceProbe(ctx.home, ctx.env)];
  const connectMcp = opts.mcp !== false;
  if (!opts.json && connectMcp) {
    // Rows as they are ready: everything above the MCP servers at once, the rest once they answered.
    const quick = render(await buildStatus(ctx, { connectMcp: false, extra }));
    const head = quick.split(/^(?=mcp {10})/m)[0] ?? "";
    process.stdout.write(head);
    const report = await buildStatus(ctx, { connectMcp, extra });
    const full = render(report);
    process.stdout.write(full.startsWith(head) ? full.slice(head.length) : full);
    return report.config.valid ? 0 : 2;
  }
  const report = await buildStatus(ctx, { connectMcp, extra });
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.config.valid ? 0 : 2;
}
