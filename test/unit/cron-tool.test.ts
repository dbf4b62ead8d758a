import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CronStore, createCronStore } from "../../src/core/cron/store.js";
import { createCronTool } from "../../src/core/tools/cron.js";
import { type ToolContext, ToolError } from "../../src/core/tools/types.js";

const NOW = new Date("2025-03-01T10:00:00Z");
let dir: string;
let store: CronStore;
let changes: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kavilo-cron-tool-"));
  store = createCronStore(join(dir, "cron", "jobs.json"));
  changes = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ctx(origin?: ToolContext["origin"]): ToolContext {
  return {
    workspace: dir,
    restrictToWorkspace: true,
    signal: new AbortController().signal,
    sessionKey: origin ? `${origin.channel}:${origin.chatId}` : "cli:default",
    ...(origin ? { origin } : {}),
  };
}

function tool() {
  return createCronTool({ store, onChange: () => changes++, now: () => NOW });
}

type Args = Parameters<ReturnType<typeof tool>["run"]>[0];
const run = (args: Args, c = ctx()) => tool().run(tool().parameters.parse(args), c);

describe("cron tool", () => {
  it("add with in_seconds is a one-shot delivered back to the chat it came from", async () => {
    const origin = { channel: "telegram", chatId: "42", threadId: "7" };
    const out = await run({ action: "add", message: "drink water", in_seconds: 600 }, ctx(origin));
    const [job] = await store.list();
    expect(job).toMatchObject({
      message: "drink water",
      schedule: { kind: "at", at: "2025-03-01T10:10:00.000Z" },
      nextRunAt: "2025-03-01T10:10:00.000Z",
      deliver: origin,
      enabled: true,
    });
    expect(out).toContain(job!.id);
    expect(out).toContain("telegram:42:7");
    expect(changes).toBe(1);
  });

  it("a job added outside a chat runs silently", async () => {
    await run({ action: "add", message: "m", every_seconds: 3600 });
    const [job] = await store.list();
    expect(job?.deliver).toBeUndefined();
    expect(job?.schedule).toEqual({ kind: "every", seconds: 3600 });
    expect(job?.nextRunAt).toBe("2025-03-01T11:00:00.000Z");
  });

  it("stores cron with its time zone and the next run in that zone", async () => {
    await run({ action: "add", message: "standup", cron: "0 9 * * 1-5", tz: "America/New_York" });
    const [job] = await store.list();
    expect(job?.schedule).toEqual({ kind: "cron", expr: "0 9 * * 1-5", tz: "America/New_York" });
    // 2025-03-03 is a Monday; New York is on EST (-05:00) until March 9.
    expect(job?.nextRunAt).toBe("2025-03-03T14:00:00.000Z");
  });

  it.each([
    [{ action: "add", message: "m", cron: "0 25 * * *" }, /invalid cron expression "0 25 \* \* \*"/],
    [{ action: "add", message: "m", cron: "0 9 * * *", tz: "Nowhere/City" }, /unknown time zone/],
    [{ action: "add", message: "m", at: "2025-02-01T00:00:00Z" }, /in the past/],
    [{ action: "add", message: "m", at: "tomorrow" }, /not an ISO 8601 date-time/],
    [{ action: "add", message: "m", in_seconds: 60, every_seconds: 60 }, /only one schedule/],
    [{ action: "add", message: "m" }, /give a schedule/],
    [{ action: "add", message: "m", every_seconds: 60, tz: "UTC" }, /tz applies only to cron/],
    [{ action: "add", in_seconds: 60 }, /non-empty message/],
    [{ action: "add", message: "m", every_seconds: 1 }, /at most once every 60 s \(this one: every 1 s\)/],
    [{ action: "add", message: "m", cron: "*/10 * * * * *" }, /at most once every 60 s/],
    [{ action: "remove" }, /needs the job id/],
    [{ action: "remove", id: "zzz" }, /no job with id "zzz"/],
  ] as Array<[Args, RegExp]>)("rejects bad input with a ToolError: %j", async (args, message) => {
    const err = await run(args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toMatch(message);
    expect(await store.list()).toEqual([]);
    expect(changes).toBe(0);
  });

  it("lists and removes jobs", async () => {
    expect(await run({ action: "list" })).toBe("No scheduled jobs.");
    await run({ action: "add", message: "first", name: "one", every_seconds: 60 });
    const [job] = await store.list();
    const listed = await run({ action: "list" });
    expect(listed).toContain(job!.id);
    expect(listed).toContain('"one"');
    expect(listed).toContain("every 1m");
    expect(await run({ action: "remove", id: job!.id })).toContain(job!.id);
    expect(await store.list()).toEqual([]);
    expect(changes).toBe(2);
  });
});
