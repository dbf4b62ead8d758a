import { createCronStore } from "../core/cron/store.js";
import { DEFAULT_GRACE_MS } from "../core/cron/types.js";
import type { Check, Probe } from "./types.js";

/**
 * Cron jobs that should have run and did not (their next run is past the catch-up grace, so no
 * `kavilo start` was running), and jobs whose last run failed or was missed.
 */
export async function cronChecks(cronJobs: string, now: Date): Promise<Check[]> {
  const jobs = await createCronStore(cronJobs).list();
  const enabled = jobs.filter((j) => j.enabled);
  if (enabled.length === 0) {
    return [
      {
        id: "cron.jobs",
        area: "cron",
        status: "skip",
        summary: jobs.length ? "every cron job is disabled" : "no cron jobs",
      },
    ];
  }
  const out: Check[] = [];
  for (const j of enabled) {
    const name = j.name ? `${j.id} (${j.name})` : j.id;
    const due = j.nextRunAt ? Date.parse(j.nextRunAt) : undefined;
    if (due !== undefined && now.getTime() - due > DEFAULT_GRACE_MS) {
      out.push({
        id: `cron.${j.id}`,
        area: "cron",
        status: "warn",
        summary: `cron job ${name} missed its run at ${j.nextRunAt}`,
        fix: "keep kavilo start running (kavilo service install), or run it now: kavilo cron run " + j.id,
      });
    } else if (j.lastStatus === "error" || j.lastStatus === "missed") {
      out.push({
        id: `cron.${j.id}`,
        area: "cron",
        status: "warn",
        summary: `cron job ${name}: last run ${j.lastStatus}${j.lastError ? `: ${j.lastError}` : ""}`,
        fix: `see kavilo cron list; try it with kavilo cron run ${j.id}`,
      });
    }
  }
  if (out.length === 0) {
    out.push({
      id: "cron.jobs",
      area: "cron",
      status: "ok",
      summary: `${enabled.length} cron job${enabled.length === 1 ? "" : "s"} on schedule`,
    });
  }
  return out;
}

export function cronProbes(cronJobs: string, now = new Date()): Probe[] {
  return [{ id: "cron.jobs", area: "cron", network: false, run: () => cronChecks(cronJobs, now) }];
}
