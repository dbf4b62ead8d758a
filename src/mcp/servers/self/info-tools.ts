import * as z from "zod";
import { createCronStore } from "../../../core/cron/store.js";
import { UsageLog } from "../../../core/usage.js";
import { defineSelfTool, type SelfDeps, type SelfTool } from "./self-tool.js";

export function createInfoTools(deps: SelfDeps): SelfTool[] {
  const status = defineSelfTool({
    name: "status",
    title: "kavilo status",
    description:
      "kavilo's health at a glance, the same report as `kavilo status --json`: profile home, config file " +
      "validity, which provider and model would answer, which API keys are present (never their values), " +
      "channels, MCP servers, the workspace, the token refreshers, and `checks`: the health checks of " +
      "`kavilo doctor` that need no network (each ok/warn/fail/skip with a one-line fix).",
    input: z.object({}),
    readOnly: true,
    handler: () => deps.status(),
  });

  const listCronJobs = defineSelfTool({
    name: "list_cron_jobs",
    title: "List cron jobs",
    description:
      "List kavilo's scheduled jobs: id, name, schedule in words, the message the agent is asked, where the " +
      "answer is delivered, whether enabled, last run (time, status, error) and next run.",
    input: z.object({}),
    readOnly: true,
    async handler() {
      const jobs = await createCronStore(deps.basePaths.cronJobs).list();
      const { describeSchedule } = await import("../../../core/cron/next-run.js");
      return {
        jobs: jobs.map((j) => ({
          id: j.id,
          name: j.name ?? null,
          schedule: describeSchedule(j.schedule),
          message: j.message,
          deliver: j.deliver ?? null,
          enabled: j.enabled,
          lastRunAt: j.lastRunAt ?? null,
          lastStatus: j.lastStatus ?? null,
          ...(j.lastError ? { lastError: j.lastError } : {}),
          nextRunAt: j.enabled ? (j.nextRunAt ?? null) : null,
        })),
      };
    },
  });

  const usageSummary = defineSelfTool({
    name: "usage_summary",
    title: "Token usage",
    description:
      "Token usage of kavilo's LLM calls, totals per UTC day and per provider/model plus the grand total " +
      "(calls, input, output, reasoning and cache tokens). `days` limits it to the last n days.",
    input: z.object({
      days: z
        .number()
        .int()
        .min(1)
        .max(3660)
        .optional()
        .describe("Only the last n days (today counts as one)"),
    }),
    readOnly: true,
    handler: ({ days }) =>
      new UsageLog(deps.basePaths.usage).summary({
        ...(days !== undefined ? { days } : {}),
        ...(deps.now ? { now: deps.now() } : {}),
      }),
  });

  return [status, listCronJobs, usageSummary];
}
