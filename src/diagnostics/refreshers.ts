import type { RefresherReport } from "../refreshers/report.js";
import type { Check } from "./types.js";

/** The refreshers' last results as `kavilo start` recorded them: a failed target is a warning. */
export function refresherChecks(report: RefresherReport): Check[] {
  // status shows the whole report (each refresher's targets and next tick) from the check's data.
  return refresherFindings(report).map((c) => ({ ...c, data: { report } }));
}

function refresherFindings(report: RefresherReport): Check[] {
  const on = report.refreshers.filter((r) => r.enabled);
  if (on.length === 0) {
    return [{ id: "refreshers", area: "refreshers", status: "skip", summary: "no token refresher is on" }];
  }
  if (report.source === "never") {
    return [
      {
        id: "refreshers",
        area: "refreshers",
        status: "skip",
        summary: `${on.map((r) => r.name).join(", ")} on; kavilo start has not run them yet`,
      },
    ];
  }
  const out: Check[] = [];
  for (const r of on) {
    const failed = r.targets.filter((t) => t.result === "failed");
    const when =
      report.source === "running" ? "" : ` (as of ${report.updatedAt}, kavilo start is not running)`;
    if (failed.length > 0) {
      out.push({
        id: `refreshers.${r.name}`,
        area: "refreshers",
        status: "warn",
        summary: `${r.name}: ${failed.map((t) => `${t.target} failed${t.reason ? `: ${t.reason}` : ""}`).join("; ")}${when}`,
        fix: "log in again for that credential; the refresher picks it up on its next tick",
      });
    } else {
      out.push({
        id: `refreshers.${r.name}`,
        area: "refreshers",
        status: report.source === "running" ? "ok" : "warn",
        summary: `${r.name}: ${r.targets.length ? r.targets.map((t) => `${t.target} ${t.result}`).join(", ") : "no targets seen"}${when}`,
        ...(report.source === "running"
          ? {}
          : { fix: "start kavilo (kavilo start, or kavilo service install) so tokens stay fresh" }),
      });
    }
  }
  return out;
}
