import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/core/agent/events.js";
import { lockFile } from "../../src/core/memory/memory-state.js";
import { createProvider } from "../../src/providers/create.js";
import type { ResolvedProvider } from "../../src/providers/resolve.js";
import { findSpec } from "../../src/providers/specs.js";
import type { Provider } from "../../src/providers/types.js";
import { startFakeAnthropic } from "../fakes/anthropic-server.js";
import { type CodexStep, startFakeCodex } from "../fakes/codex-server.js";
import { startFakeOpenAI } from "../fakes/openai-server.js";
import { bodyOf, type FakeLlm, type FakeStep, type RecordedRequest } from "../fakes/sse.js";
import { contextAgent } from "../helpers/context-agent.js";

let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const fast = { retryBaseMs: 5, maxRetries: 1, requestTimeoutMs: 4000, streamTimeoutMs: 4000 };

function resolved(name: string, url: string, model: string): ResolvedProvider {
  return {
    name,
    spec: findSpec(name)!,
    model,
    apiKey: "sk-test-key",
    apiBase: url,
    extraHeaders: {},
    reason: "t",
  };
}

/** A consolidation request: its only tool is save_memory. */
function isConsolidation(req: RecordedRequest): boolean {
  const tools = (bodyOf(req).tools ?? []) as { name?: string; function?: { name?: string } }[];
  return tools.length === 1 && (tools[0]?.name ?? tools[0]?.function?.name) === "save_memory";
}

const save: FakeStep = {
  toolCalls: [
    {
      name: "save_memory",
      args: {
        history_entry: "[2026-12-07 09:30] The user asked about apples.",
        memory_update: "# Memory\n\n- likes apples\n",
      },
    },
  ],
};

/** The JSON of a request's conversation, to look for what was sent. */
const sent = (req: RecordedRequest | undefined) => JSON.stringify(bodyOf(req).messages ?? bodyOf(req).input);

interface Wire {
  name: string;
  model: string;
  /** How the wire forces the save_memory call. */
  forced: unknown;
  overflow: FakeStep | CodexStep;
  start(respond: (req: RecordedRequest, i: number) => FakeStep | CodexStep): Promise<FakeLlm>;
  provider(url: string): Provider;
}

const WIRES: Wire[] = [
  {
    name: "openai chat completions",
    model: "gpt-test",
    forced: { type: "function", function: { name: "save_memory" } },
    overflow: {
      fault: {
        status: 400,
        body: JSON.stringify({
          error: {
            message:
              "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens.",
            type: "invalid_request_error",
            param: "messages",
            code: "context_length_exceeded",
          },
        }),
      },
    },
    start: (respond) => startFakeOpenAI({ respond }),
    provider: (url) => createProvider(resolved("openai", url, "gpt-test"), { policy: fast }),
  },
  {
    name: "anthropic messages",
    model: "claude-test",
    forced: { type: "tool", name: "save_memory" },
    overflow: {
      fault: {
        status: 400,
        body: JSON.stringify({
          type: "error",
          error: {
            type: "invalid_request_error",
            message: "prompt is too long: 210000 tokens > 200000 maximum",
          },
        }),
      },
    },
    start: (respond) => startFakeAnthropic({ respond }),
    provider: (url) => createProvider(resolved("anthropic", url, "claude-test"), { policy: fast }),
  },
  {
    name: "openai responses (codex)",
    model: "gpt-5.5",
    forced: { type: "function", name: "save_memory" },
    overflow: {
      failed: {
        code: "context_length_exceeded",
        message: "Your input exceeds the context window of this model.",
      },
    },
    start: (respond) => startFakeCodex({ respond }),
    provider: (url) =>
      createProvider(resolved("openai_codex", url, "gpt-5.5"), {
        policy: fast,
        credentials: async () => ({ bearer: "codex-token", headers: { "ChatGPT-Account-ID": "acct-1" } }),
      }),
  },
];

const endOf = (events: AgentEvent[]) => events.at(-1) as Extract<AgentEvent, { type: "turn-end" }>;
const errors = (events: AgentEvent[]) => events.filter((e) => e.type === "error");

describe.each(WIRES)("a context overflow on $name", (wire) => {
  it("consolidates once, retries once, and answers", async () => {
    let overflowed = false;
    fake = await wire.start((req) => {
      if (isConsolidation(req)) return save;
      const text = sent(req);
      if (text.includes("fourth question") && !overflowed) {
        overflowed = true;
        return wire.overflow;
      }
      return { text: text.includes("fourth question") ? "Answer after the retry." : "Noted." };
    });
    const t = contextAgent(wire.provider(fake.url), wire.model);
    for (const q of ["first question about apples", "second question", "third question"]) await t.run(q);
    const before = fake.requests.length;

    const events = await t.run("fourth question");
    expect(errors(events)).toEqual([]);
    expect(endOf(events)).toMatchObject({ reason: "stop", text: "Answer after the retry." });
    const [failed, consolidation, retry, ...rest] = fake.requests.slice(before);
    expect(rest).toEqual([]);
    expect(sent(failed)).toContain("first question about apples");
    expect(consolidation && isConsolidation(consolidation)).toBe(true);
    expect(bodyOf(consolidation).tool_choice).toEqual(wire.forced);
    expect(sent(consolidation)).toContain("first question about apples");
    expect(sent(consolidation)).toContain("third question");
    // The retry carries this turn only: the three earlier turns are in memory now.
    expect(sent(retry)).toContain("fourth question");
    expect(sent(retry)).not.toContain("third question");
    const history = readFileSync(join(t.workspace, "memory", "HISTORY.md"), "utf8");
    expect(history).toBe("[2026-12-07 09:30] The user asked about apples.\n\n");
    expect(readFileSync(join(t.workspace, "MEMORY.md"), "utf8")).toBe("# Memory\n\n- likes apples\n");

    // The next turn does not send the consolidated turns again, nor summarize them twice.
    await t.run("fifth question");
    const next = fake.requests.slice(before + 3);
    expect(next.filter(isConsolidation)).toEqual([]);
    expect(sent(next[0])).toContain("fourth question");
    expect(sent(next[0])).not.toContain("third question");
  });

  it("names the message that is too large when even the retry does not fit", async () => {
    fake = await wire.start((req) => (isConsolidation(req) ? save : wire.overflow));
    const t = contextAgent(wire.provider(fake.url), wire.model);
    const events = await t.run(`here is a log: ${"x".repeat(200_000)}`);
    const errs = errors(events);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ type: "error" });
    const message = (errs[0] as { message: string }).message;
    expect(message).toMatch(
      /^your message is too large for the model's context \(200,015 characters, about 50,0\d\d tokens/,
    );
    expect(message).not.toContain("\n");
    expect(endOf(events).reason).toBe("error");
    // One try, no history to consolidate, one retry: two requests, never a loop.
    expect(fake.requests.length).toBe(2);
  });
});

describe("consolidation failures and settings", () => {
  const openai = (respond: (req: RecordedRequest, i: number) => FakeStep) =>
    startFakeOpenAI({ respond }).then((f) => {
      fake = f;
      return createProvider(resolved("openai", f.url, "gpt-test"), { policy: fast });
    });

  it("archives the raw turns to HISTORY.md after 3 failed attempts, and the turn still answers", async () => {
    let overflowed = false;
    const provider = await openai((req) => {
      if (isConsolidation(req)) return { text: "I would rather chat." }; // no save_memory call
      if (sent(req).includes("second") && !overflowed) {
        overflowed = true;
        return WIRES[0]!.overflow;
      }
      return { text: "Fine." };
    });
    const t = contextAgent(provider, "gpt-test");
    await t.run("first: my cat is called Miso");
    const events = await t.run("second");
    expect(endOf(events)).toMatchObject({ reason: "stop", text: "Fine." });
    expect(fake!.requests.filter(isConsolidation)).toHaveLength(3);
    const history = readFileSync(join(t.workspace, "memory", "HISTORY.md"), "utf8");
    expect(history).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d\] \[raw\] 2 messages archived without a summary \(consolidation failed: the model did not call save_memory\):\nUSER: first: my cat is called Miso\nASSISTANT: Fine\.\n\n$/,
    );
    expect(existsSync(join(t.workspace, "MEMORY.md"))).toBe(false);
    expect(t.logs.filter((l) => l.includes("attempt"))).toHaveLength(3);
    // Archived turns count as consolidated: the next turn sends only what came after.
    await t.run("third");
    expect(sent(fake!.requests.at(-1))).not.toContain("Miso");
  });

  it("with memory off, old turns that do not fit are dropped with one log line and no model call", async () => {
    const provider = await openai(() => ({ text: "ok" }));
    // 8k × 0.5 − 1k = a 3k-token budget; each question is ~1k tokens.
    const t = contextAgent(provider, "gpt-test", { contextWindow: 8_000, memory: false }, 1_000);
    for (let n = 1; n <= 6; n++) await t.run(`question ${n} ${"word ".repeat(800)}`);
    expect(fake!.requests.filter(isConsolidation)).toEqual([]);
    expect(existsSync(join(t.workspace, "memory", "HISTORY.md"))).toBe(false);
    const dropped = t.logs.filter((l) => l.includes("dropped"));
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]).toMatch(
      /^session test:s: dropped \d+ old messages .*agents\.defaults\.memory is false/,
    );
    const last = sent(fake!.requests.at(-1));
    expect(last).toContain("question 6");
    expect(last).not.toContain("question 1 ");
  });

  it("leaves a session to the live process that is consolidating it, and takes over a dead one's lock", async () => {
    let overflows = 0;
    const provider = await openai((req) => {
      if (isConsolidation(req)) return save;
      if (sent(req).includes("OVERFLOW") && overflows++ % 2 === 0) return WIRES[0]!.overflow;
      return { text: "ok" };
    });
    const t = contextAgent(provider, "gpt-test");
    await t.run("first question about apples");
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    const lock = lockFile(join(t.workspace, "sessions"), "test:s");
    writeFileSync(lock, JSON.stringify({ pid: other.pid, startedAt: new Date().toISOString() }));
    try {
      const events = await t.run("OVERFLOW one");
      expect(endOf(events)).toMatchObject({ reason: "stop", text: "ok" });
      expect(fake!.requests.filter(isConsolidation)).toEqual([]);
      expect(t.logs).toContain(`session test:s: pid ${other.pid} is consolidating it; not doing it here`);
    } finally {
      other.kill();
      await once(other, "exit");
    }
    await t.run("OVERFLOW two");
    expect(fake!.requests.filter(isConsolidation)).toHaveLength(1);
    expect(existsSync(lock)).toBe(false);
  });

  it("/new archives the session and consolidates its turns, with agents.defaults.memoryModel", async () => {
    const provider = await openai((req) => (isConsolidation(req) ? save : { text: "ok" }));
    const t = contextAgent(provider, "gpt-test", { memoryModel: "gpt-cheap" });
    await t.run("first question about apples");
    await t.agent.resetSession("test:s");
    const consolidations = fake!.requests.filter(isConsolidation);
    expect(consolidations).toHaveLength(1);
    expect(bodyOf(consolidations[0]).model).toBe("gpt-cheap");
    expect(bodyOf(consolidations[0]).tool_choice).toEqual({
      type: "function",
      function: { name: "save_memory" },
    });
    expect(bodyOf(fake!.requests[0]).model).toBe("gpt-test");
    expect(sent(consolidations[0])).toContain("first question about apples");
    expect(readFileSync(join(t.workspace, "memory", "HISTORY.md"), "utf8")).toContain("apples");
    expect(readdirSync(join(t.workspace, "sessions", "archive"))).toHaveLength(1);
    expect(readdirSync(join(t.workspace, "sessions")).filter((f) => f.endsWith(".memory.json"))).toEqual([]);
    await t.run("a new start");
    expect(sent(fake!.requests.at(-1))).not.toContain("apples");
  });
});
