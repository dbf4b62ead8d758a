import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ContextKeeper } from "../../src/core/context/context-keeper.js";
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
});
