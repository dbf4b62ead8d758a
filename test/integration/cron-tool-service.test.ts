import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { createCronService } from "../../src/core/cron/service.js";
import { createCronStore } from "../../src/core/cron/store.js";
import type { CronJob } from "../../src/core/cron/types.js";
import { createCronTool } from "../../src/core/tools/cron.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kavilo-cron-e2e-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("a reminder asked for in a chat fires once, in that chat, and is gone", async () => {
  // Real timers on a clock the test controls: the reminder is "in 1 second", the clock is moved past it.
  let now = Date.parse("2025-06-01T08:00:00Z");
  const clock = () => new Date(now);
  const store = createCronStore(join(dir, "cron", "jobs.json"));
  const ran: CronJob[] = [];
  const service = createCronService({
    store,
    runJob: async (job) => {
      ran.push(job);
    },
    now: clock,
    setTimer: (fn, ms) => setTimeout(fn, Math.min(ms, 5)),
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
    log: { info() {}, warn() {}, error() {} },
  });
  await service.start();
  const tool = createCronTool({ store, onChange: () => void service.reload(), now: clock });
  const origin = { channel: "slack", chatId: "C123", threadId: "1717.0001" };
  await tool.run(
    { action: "add", message: "remind me to call Sam", in_seconds: 1 },
    {
      workspace: dir,
      restrictToWorkspace: true,
      signal: new AbortController().signal,
      sessionKey: "slack:C123",
      origin,
    },
  );
  await new Promise((r) => setTimeout(r, 30));
  expect(ran).toEqual([]);
  now += 1000;
  await vi.waitFor(async () => expect(await store.list()).toEqual([]), { timeout: 5000 });
  await service.stop();
  expect(ran).toHaveLength(1);
  expect(ran[0]).toMatchObject({ message: "remind me to call Sam", deliver: origin });
});
