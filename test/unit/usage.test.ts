import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageLog } from "../../src/core/usage.js";
import { tempHome } from "../helpers/cli.js";

describe("usage records and totals", () => {
  it("records one line per call and sums per day and per model", async () => {
    const dir = join(tempHome(), "usage");
    const log = new UsageLog(dir);
    const day1 = new Date("2026-11-20T10:00:00Z");
    const day2 = new Date("2026-11-21T09:00:00Z");
    await log.record({
      provider: "openai",
      model: "gpt-a",
      session: "s",
      usage: { input: 10, output: 2 },
      at: day1,
    });
    await log.record({
      provider: "anthropic",
      model: "claude-b",
      session: "s",
      usage: { input: 100, output: 20, cacheRead: 50, cacheWrite: 5, reasoning: 3 },
      at: day1,
    });
    await log.record({
      provider: "openai",
      model: "gpt-a",
      session: "t",
      usage: { input: 1, output: 1 },
      at: day2,
    });
    appendFileSync(join(dir, "2026-11-21.jsonl"), '{"at":"2026-11-21T'); // a torn line is skipped

    const s = await log.summary();
    expect(s.days).toEqual([
      { date: "2026-11-20", calls: 2, input: 110, output: 22, reasoning: 3, cacheRead: 50, cacheWrite: 5 },
      { date: "2026-11-21", calls: 1, input: 1, output: 1, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
    ]);
    expect(s.models.map((m) => [`${m.provider}/${m.model}`, m.calls, m.input])).toEqual([
      ["anthropic/claude-b", 1, 100],
      ["openai/gpt-a", 2, 11],
    ]);
    expect(s.total).toMatchObject({ calls: 3, input: 111, output: 23 });
    const lastDay = await log.summary({ days: 1, now: day2 });
    expect(lastDay.total.calls).toBe(1);
  });
});
