import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import { findSpec } from "../../src/providers/specs.js";
import { bodyOf, type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { contextAgent, fakeTokens } from "../helpers/context-agent.js";

let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("consolidation in the background (kavilo start)", () => {
  it("never makes a turn wait, in its own session or another", async () => {
    const SLOW = 1_500;
    fake = await startFakeOpenAI({
      respond(req) {
        const usage = {
          input: fakeTokens({ messages: bodyOf(req).messages, tools: bodyOf(req).tools }),
          output: 1,
        };
        if (!bodyOf(req).tool_choice) return { text: "ok", usage };
        const args = {
          history_entry: "[2026-12-07 11:00] Early questions.",
          memory_update: "- asked early\n",
        };
        return { delayMs: SLOW, toolCalls: [{ name: "save_memory", args }] };
      },
    });
    const provider = createProvider({
      name: "openai",
      spec: findSpec("openai")!,
      model: "gpt-test",
      apiKey: "sk-test",
      apiBase: fake.url,
      extraHeaders: {},
      reason: "t",
    });
    // 8k × 0.5 − 1k: a 3k-token budget; each question is ~1k tokens, so the fourth turn overflows it.
    const t = contextAgent(provider, "gpt-test", { contextWindow: 8_000, background: true }, 1_000);
    const timed = async (input: string, session = "telegram:a") => {
      const start = Date.now();
      await t.run(input, session);
      return Date.now() - start;
    };
    const times: number[] = [];
    for (let n = 1; n <= 5; n++) times.push(await timed(`question ${n} ${"word ".repeat(800)}`));
    times.push(await timed("hello from another chat", "telegram:b"));
    const consolidations = () => fake!.requests.filter((r) => bodyOf(r).tool_choice).length;
    // Started in the background during the turns; on a loaded machine its request may still be on its way.
    await vi.waitFor(() => expect(consolidations()).toBeGreaterThan(0), { timeout: SLOW });
    for (const ms of times) expect(ms).toBeLessThan(SLOW);
    await t.agent.context.idle();
    expect(readFileSync(join(t.workspace, "memory", "HISTORY.md"), "utf8")).toContain("Early questions.");
    expect(readFileSync(join(t.workspace, "MEMORY.md"), "utf8")).toBe("- asked early\n");
    // While it ran, the turns that no longer fit were left out rather than sent over budget.
    for (const r of fake.requests.filter((x) => !bodyOf(x).tool_choice)) {
      expect(fakeTokens({ messages: bodyOf(r).messages, tools: bodyOf(r).tools })).toBeLessThanOrEqual(3_000);
    }

    // /new in a chat: the session is archived at once; its turns are summarized beside the reply.
    const before = consolidations();
    const start = Date.now();
    await t.agent.resetSession("telegram:b");
    expect(Date.now() - start).toBeLessThan(SLOW);
    await t.agent.context.idle();
    expect(consolidations()).toBe(before + 1);
    const last = fake.requests.filter((r) => bodyOf(r).tool_choice).at(-1);
    expect(JSON.stringify(bodyOf(last).messages)).toContain("hello from another chat");
  });
});
