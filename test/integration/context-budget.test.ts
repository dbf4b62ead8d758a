import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import { findSpec } from "../../src/providers/specs.js";
import { bodyOf, type FakeLlm, type FakeStep, startFakeOpenAI } from "../fakes/openai-server.js";
import { contextAgent, fakeTokens } from "../helpers/context-agent.js";

type WireMessage = {
  role: string;
  content?: unknown;
  tool_calls?: { id: string }[];
  tool_call_id?: string;
};

const WINDOW = 64_000;
const MAX_TOKENS = 4_000;
/** 64k × 0.5 − 4k: what every request's prompt must stay under. */
const BUDGET = 28_000;
const TURNS = 500;

let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const question = (n: number) => `turn ${n}: ${"please tell me more about the topic at hand ".repeat(90)}`;
const answer = (n: number) => `Answer ${n}. ${"here is a detailed explanation of it ".repeat(110)}`;
const turnOf = (text: string) => Number(/^turn (\d+):/.exec(text)?.[1] ?? Number.NaN);

describe("a 500-turn session of ~2k tokens per turn", () => {
  it("keeps every request under the budget, consolidates with save_memory, keeps the newest whole turns in order", async () => {
    const chats: WireMessage[][] = [];
    const consolidated: number[][] = [];
    let memory = "";
    fake = await startFakeOpenAI({
      respond(req): FakeStep {
        const body = bodyOf(req);
        const usage = { input: fakeTokens({ messages: body.messages, tools: body.tools }), output: 100 };
        const messages = body.messages as WireMessage[];
        if (body.tool_choice) {
          const content = String(messages.at(-1)?.content);
          const turns = [...content.matchAll(/USER: turn (\d+):/g)].map((m) => Number(m[1]));
          consolidated.push(turns);
          memory = `# Memory\n\n- the user asked about turns ${turns[0]} to ${turns.at(-1)}\n`;
          const args = {
            history_entry: `[2026-12-07 10:00] Turns ${turns[0]}-${turns.at(-1)} were discussed.`,
            memory_update: memory,
          };
          return { toolCalls: [{ name: "save_memory", args }], usage };
        }
        chats.push(messages);
        const last = messages.at(-1)!;
        const n = last.role === "user" ? turnOf(String(last.content)) : Number.NaN;
        // Every 10th turn uses a tool first, so kept history holds calls and results.
        if (n % 10 === 0) return { toolCalls: [{ name: "lookup", args: { topic: `t${n}` } }], usage };
        const q = [...messages].reverse().find((m) => m.role === "user");
        return { text: answer(turnOf(String(q?.content))), usage };
      },
    });
    const provider = createProvider({
      name: "openai",
      spec: findSpec("openai")!,
      model: "gpt-test",
      apiKey: "sk-test",
      apiBase: fake.url,
      extraHeaders: {},
      reason: "test",
    });
    const t = contextAgent(provider, "gpt-test", { contextWindow: WINDOW, contextBudget: 0.5 }, MAX_TOKENS);
    for (let n = 1; n <= TURNS; n++) {
      const events = await t.run(question(n));
      const end = events.at(-1);
      expect(end?.type === "turn-end" && end.reason, `turn ${n}`).toBe("stop");
    }

    // Every request, chats and consolidations alike, stayed within the budget.
    const sizes = fake.requests.map((r) =>
      fakeTokens({ messages: bodyOf(r).messages, tools: bodyOf(r).tools }),
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BUDGET);
    // A session this long needs the room: later requests are filled near the budget, not tiny.
    expect(sizes.at(-1)!).toBeGreaterThan(BUDGET / 3);

    // Consolidations happened, each stretch once, oldest first, with no gap.
    expect(consolidated.length).toBeGreaterThan(10);
    const flat = consolidated.flat();
    expect(flat).toEqual(Array.from({ length: flat.length }, (_, i) => i + 1));
    const history = readFileSync(join(t.workspace, "memory", "HISTORY.md"), "utf8")
      .trim()
      .split("\n\n");
    expect(history).toHaveLength(consolidated.length);
    for (const entry of history)
      expect(entry).toMatch(/^\[2026-12-07 10:00\] Turns \d+-\d+ were discussed\.$/);
    expect(readFileSync(join(t.workspace, "MEMORY.md"), "utf8")).toBe(memory);

    // Each chat request: whole turns, consecutive, ending with the current one; every tool result
    // right after its call.
    for (const messages of chats) {
      const history = messages.filter((m) => m.role !== "system");
      expect(history[0]?.role).toBe("user");
      const turns = history.filter((m) => m.role === "user").map((m) => turnOf(String(m.content)));
      expect(turns).toEqual(turns.map((_, i) => turns[0]! + i));
      history.forEach((m, i) => {
        if (m.role !== "tool") return;
        const call = history
          .slice(0, i)
          .reverse()
          .find((x) => x.role !== "tool");
        expect(call?.tool_calls?.map((c) => c.id)).toContain(m.tool_call_id);
      });
    }
    const lastTurns = chats
      .at(-1)!
      .filter((m) => m.role === "user")
      .map((m) => turnOf(String(m.content)));
    expect(lastTurns.at(-1)).toBe(TURNS);
    // Nothing kept was also consolidated, and nothing between the two was lost.
    expect(lastTurns[0]).toBe(flat.length + 1);
  }, 180_000);
});
