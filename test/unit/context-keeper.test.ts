import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keeperForAgent } from "../../src/core/context/agent-keeper.js";
import { ContextKeeper } from "../../src/core/context/context-keeper.js";
import { lockFile, readState } from "../../src/core/memory/memory-state.js";
import { UsageLog } from "../../src/core/usage.js";
import type { Message, Provider, StreamEvent } from "../../src/providers/types.js";

/** Answers every consolidation with a save_memory call. */
const saver: Provider = {
  id: "saver",
  async *stream(): AsyncGenerator<StreamEvent> {
    const args = { history_entry: "[2026-12-07 12:00] Earlier.", memory_update: "- m\n" };
    yield { type: "tool-call", id: "c", name: "save_memory", args };
    yield { type: "finish", reason: "tool-calls" };
  },
};

describe("the context keeper", () => {
  it("keeps a resumed turn's user message (already in the session) however tight the budget", async () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-keeper-")));
    const keeper = new ContextKeeper({
      provider: saver,
      workspace: ws,
      sessionsDir: join(ws, "sessions"),
      settings: { contextWindow: 4_000, contextBudget: 0.5, maxTokens: 0 },
    });
    const big = "x".repeat(6_000); // ~1.5k tokens each: the budget (2,048) holds one at most
    const session: Message[] = [
      { role: "user", content: `old ${big}` },
      { role: "assistant", content: "old answer" },
      { role: "user", content: `current ${big}` },
    ];
    const fit = await keeper.fit({
      sessionKey: "s",
      session,
      system: "sys",
      tools: [],
      turn: [],
      model: "m",
    });
    expect(fit.messages.map((m) => String(m.content).slice(0, 7))).toEqual(["current"]);
    // The old turn went to memory; the current message did not.
    const again = await keeper.fit({
      sessionKey: "s",
      session,
      system: "sys",
      tools: [],
      turn: [],
      model: "m",
    });
    expect(again.messages).toHaveLength(1);
    expect(again.messages[0]?.content).toBe(`current ${big}`);
  });

  it("a calibration written by one process never undoes how far another consolidated", async () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-keeper-")));
    const sessionsDir = join(ws, "sessions");
    // Two keepers on one sessions folder stand for two processes: each has its own in-process queue.
    const settings = { contextWindow: 4_000, contextBudget: 0.5, maxTokens: 0 };
    const observer = new ContextKeeper({ provider: saver, workspace: ws, sessionsDir, settings });
    const dropper = new ContextKeeper({
      provider: saver,
      workspace: ws,
      sessionsDir,
      settings: { ...settings, memory: false },
    });
    const big = "x".repeat(3_000);
    const session: Message[] = [];
    for (let i = 0; i < 12; i++) {
      session.push({ role: "user", content: `q${i} ${big}` }, { role: "assistant", content: `a${i}` });
    }
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) observer.observe("s", 1_000, 1_000 + ((i * 37 + round * 11) % 200) * 10);
      const upTo = session.length - 2 * (4 - round);
      await dropper.fit({
        sessionKey: "s",
        session: session.slice(0, upTo),
        system: "sys",
        tools: [],
        turn: [{ role: "user", content: "now" }],
        model: "m",
      });
      await Promise.all([observer.idle(), dropper.idle()]);
      const state = await readState(sessionsDir, "s");
      // The dropper's advance (everything but the newest turn or so) survived the observer's writes.
      expect(state.consolidated).toBeGreaterThan(0);
      expect(state.calibration).toBeDefined();
    }
  });

  it("/new waits for another process consolidating the session before it archives", async () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-keeper-")));
    const sessionsDir = join(ws, "sessions");
    mkdirSync(sessionsDir, { recursive: true });
    const lines: string[] = [];
    const keeper = new ContextKeeper({
      provider: saver,
      workspace: ws,
      sessionsDir,
      settings: { contextWindow: 4_000, contextBudget: 0.5, maxTokens: 0 },
      progress: (l) => lines.push(l),
    });
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    writeFileSync(
      lockFile(sessionsDir, "s"),
      JSON.stringify({ pid: other.pid, startedAt: new Date().toISOString() }),
    );
    let archivedAt = 0;
    let otherDiedAt = 0;
    try {
      const session: Message[] = [
        { role: "user", content: "old question" },
        { role: "assistant", content: "old answer" },
      ];
      const reset = keeper.reset("s", session, "m", async () => {
        archivedAt = Date.now();
      });
      await new Promise((r) => setTimeout(r, 400));
      expect(archivedAt).toBe(0);
      expect(lines).toEqual([`waiting for pid ${other.pid}, which is consolidating this session…`]);
      other.kill();
      await once(other, "exit");
      otherDiedAt = Date.now();
      await reset;
      expect(archivedAt).toBeGreaterThanOrEqual(otherDiedAt);
      expect(lines.at(-1)).toBe("consolidating memory: summarizing 2 older messages…");
    } finally {
      other.kill();
    }
  });

  it("a consolidation's usage record that cannot be written is reported, not lost silently", async () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-keeper-")));
    // The usage folder's path is a file: every record fails.
    writeFileSync(join(ws, "usage"), "not a folder");
    const counted: Provider = {
      id: "counted",
      async *stream(): AsyncGenerator<StreamEvent> {
        yield* saver.stream({ model: "m", system: "", messages: [] });
        yield { type: "usage", usage: { input: 10, output: 5, reasoning: 0, cacheRead: 0, cacheWrite: 0 } };
      },
    };
    const warnings: string[] = [];
    const keeper = keeperForAgent({
      provider: counted,
      providerName: "p",
      workspace: ws,
      sessions: { dir: join(ws, "sessions") },
      usage: new UsageLog(join(ws, "usage")),
      warn: (l) => warnings.push(l),
    });
    await keeper.reset("s", [{ role: "user", content: "q" }], "m", async () => {});
    await new Promise((r) => setTimeout(r, 50));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^could not record usage: .*usage/);
  });

  it("calibrates the estimate by the input tokens the provider reported for the session's last request", async () => {
    const ws = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-keeper-")));
    const keeper = new ContextKeeper({
      provider: saver,
      workspace: ws,
      sessionsDir: join(ws, "sessions"),
      settings: { contextWindow: 8_000, contextBudget: 0.5, maxTokens: 0, memory: false },
    });
    const turn = (i: number): Message[] => [
      { role: "user", content: `q${i} ${"x".repeat(2_000)}` },
      { role: "assistant", content: `a${i}` },
    ];
    const session = [0, 1, 2, 3, 4].flatMap(turn);
    const ask = () =>
      keeper.fit({ sessionKey: "s", session, system: "sys", tools: [], turn: [], model: "m" });
    const before = await ask();
    // About 2.6k tokens of history: it all fits a 4k budget by kavilo's own count.
    expect(before.messages).toHaveLength(10);
    expect(before.tokens).toBe(before.estimate);
    // The provider counted twice as many: the same history no longer fits, and what is sent is cut.
    keeper.observe("s", before.estimate, before.estimate * 2);
    await keeper.idle();
    const after = await ask();
    expect(after.tokens).toBe(Math.ceil(after.estimate * 2));
    expect(after.tokens).toBeLessThanOrEqual(after.budget);
    expect(after.messages.length).toBeLessThan(10);
    expect(after.messages[0]?.role).toBe("user");
    // A different session is not affected by this one's calibration.
    const other = await keeper.fit({
      sessionKey: "t",
      session,
      system: "sys",
      tools: [],
      turn: [],
      model: "m",
    });
    expect(other.tokens).toBe(other.estimate);
  });
});
