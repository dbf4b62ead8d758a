import { describeCodexLogin } from "../auth/codex/login-status.js";
import type { RefresherReport } from "./report.js";
import type { RefresherState } from "./state.js";

function targetText(t: RefresherState["targets"][number]): string {
  const bits: string[] = [t.result];
  if (t.expiresAt) bits.push(`expires ${t.expiresAt}`);
  if (t.lastRefreshAt) bits.push(`last refresh ${t.lastRefreshAt}`);
  return `${t.target}: ${bits.join(", ")}${t.reason ? ` (${t.reason})` : ""}`;
}

/** The refresher rows of `kavilo status`, as `[label, text]` lines. No token. */
export function describeRefreshers(report: RefresherReport): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  const source =
    report.source === "never"
      ? "kavilo start has not run for this profile"
      : `as of ${report.updatedAt} (kavilo start pid ${report.pid}, ${report.source})`;
  lines.push(["refreshers", source]);
  for (const r of report.refreshers) {
    if (!r.enabled) {
      lines.push(["", `${r.name}: off (${r.reason})`]);
      continue;
    }
    const next = report.source === "running" && r.nextTickAt ? `, next ${r.nextTickAt}` : "";
    lines.push([
      "",
      `${r.name}: every ${r.intervalS} s${next}${r.targets.length ? "" : ", no targets seen"}`,
    ]);
    for (const t of r.targets) lines.push(["", `  ${targetText(t)}`]);
  }
  if (report.codexLogin) lines.push(["codex login", describeCodexLogin(report.codexLogin)]);
  return lines;
}
