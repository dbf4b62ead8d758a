import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { Agent } from "../../src/core/agent/agent.js";
import type { AgentEvent } from "../../src/core/agent/events.js";
import { SessionStore } from "../../src/core/session/session-store.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { defineTool, ToolError } from "../../src/core/tools/types.js";
import { UsageLog } from "../../src/core/usage.js";
import type { Provider, StreamEvent } from "../../src/providers/types.js";
import { ProviderError } from "../../src/providers/types.js";
import { scripted } from "../helpers/scripted-provider.js";

function makeAgent(provider: Provider, tools: ToolRegistry, maxIterations = 5) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-loop-")));
  return new Agent({
    provider,
    providerName: "scripted",
    model: "m",
    tools,
    sessions: new SessionStore(join(dir, "sessions")),
    usage: new UsageLog(join(dir, "usage")),
    workspace: dir,
    restrictToWorkspace: true,
    maxIterations,
    buildSystem: async () => "system",
  });
}

async function collect(it: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const out: AgentEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** A tool that always asks for another step. */
const echo = defineTool({
  name: "echo",
  description: "",
  parameters: z.object({}),
  capabilities: {},
  run: async () => "again",
});

/** The model calls echo on every step: only the iteration cap ends the turn. */
const loopsForever = () =>
  scripted(async function* (_r, _s, call) {
    yield { type: "tool-call", id: `c${call}`, name: "echo", args: {} };
    yield { type: "finish", reason: "tool-calls" };
  });

const slowTool = (name: string, ms: number, log: string[]) =>
  defineTool({
    name,
    description: "waits",
    parameters: z.object({}),
    capabilities: { readOnly: true },
    async run(_args, ctx) {
      log.push(`start ${name}`);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(t);
          reject(new ToolError("aborted"));
        });
      });
      log.push(`end ${name}`);
      return `${name} done`;
    },
  });

describe("agent loop", () => {
  it("sends an image in its own turn only; later turns (and a failed turn) replay a note instead", async () => {
    const provider = scripted(async function* (_req, _s, call): AsyncGenerator<StreamEvent> {
      if (call === 0) {
        // A model without vision: the image turn fails.
        yield {
          type: "error",
          error: new ProviderError("image input not supported", {
            code: "bad_request",
            provider: "scripted",
          }),
          retryable: false,
        };
        return;
      }
      yield { type: "text-delta", text: "ok" };
      yield { type: "finish", reason: "stop" };
    });
    const agent = makeAgent(provider, new ToolRegistry([]));
    const photo = [
      { type: "text" as const, text: "[image: /m/media/p.jpg (image/jpeg)]" },
      { type: "image" as const, mediaType: "image/jpeg", data: "AQID" },
    ];
    await collect(agent.runTurn({ sessionKey: "k", input: photo }));
    await collect(agent.runTurn({ sessionKey: "k", input: "and now?" }));
    expect(JSON.stringify(provider.requests[0]?.messages)).toContain('"type":"image"');
    const second = JSON.stringify(provider.requests[1]?.messages);
    expect(second).not.toContain('"type":"image"');
    expect(second).toContain("[image: /m/media/p.jpg (image/jpeg), sent earlier]");
  });

  it("runs a step's tool calls in parallel and feeds results back in call order with their ids", async () => {
    const log: string[] = [];
    const tools = new ToolRegistry([slowTool("slow", 80, log), slowTool("fast", 10, log)]);
    const provider = scripted(async function* (_req, _s, call) {
      if (call === 0) {
        yield { type: "tool-call", id: "a", name: "slow", args: {} };
        yield { type: "tool-call", id: "b", name: "fast", args: {} };
        yield { type: "finish", reason: "tool-calls" };
      } else {
        yield { type: "text-delta", text: "all done" };
        yield { type: "finish", reason: "stop" };
      }
    });
    const events = await collect(makeAgent(provider, tools).runTurn({ sessionKey: "k", input: "go" }));
    expect(log).toEqual(["start slow", "start fast", "end fast", "end slow"]);
    const second = provider.requests[1]!.messages;
    expect(second.slice(-2)).toMatchObject([
      { role: "tool", toolCallId: "a", content: "slow done" },
      { role: "tool", toolCallId: "b", content: "fast done" },
    ]);
    expect(events.at(-1)).toMatchObject({ type: "turn-end", reason: "stop", text: "all done" });
  });

  it("a tool that throws or is unknown becomes a result the model reads; the turn goes on", async () => {
    const boom = defineTool({
      name: "boom",
      description: "throws",
      parameters: z.object({}),
      capabilities: {},
      async run() {
        throw new Error("kaput");
      },
    });
    const provider = scripted(async function* (_req, _s, call) {
      if (call === 0) {
        yield { type: "tool-call", id: "1", name: "boom", args: {} };
        yield { type: "tool-call", id: "2", name: "nope", args: {} };
        yield { type: "finish", reason: "tool-calls" };
      } else {
        yield { type: "text-delta", text: "recovered" };
        yield { type: "finish", reason: "stop" };
      }
    });
    const events = await collect(
      makeAgent(provider, new ToolRegistry([boom])).runTurn({ sessionKey: "k", input: "x" }),
    );
    const ends = events.filter((e) => e.type === "tool-call-end");
    expect(ends.map((e) => e.type === "tool-call-end" && e.ok)).toEqual([false, false]);
    const results = provider.requests[1]!.messages.filter((m) => m.role === "tool");
    expect(results).toMatchObject([
      { toolCallId: "1", isError: true },
      { toolCallId: "2", isError: true },
    ]);
    expect(JSON.stringify(results)).toContain("kaput");
    expect(events.at(-1)).toMatchObject({ type: "turn-end", reason: "stop", text: "recovered" });
  });

  it("an AbortSignal ends the turn cleanly, keeping what was said", async () => {
    const provider = scripted(async function* (_req, signal) {
      yield { type: "text-delta", text: "partial answer" };
      await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve()));
      yield {
        type: "error",
        error: new ProviderError("aborted", { code: "aborted", provider: "scripted" }),
        retryable: false,
      };
    });
    const agent = makeAgent(provider, new ToolRegistry());
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    const started = Date.now();
    for await (const e of agent.runTurn({ sessionKey: "k", input: "talk", signal: controller.signal })) {
      events.push(e);
      if (e.type === "text-delta") setTimeout(() => controller.abort(), 20);
    }
    expect(Date.now() - started).toBeLessThan(2000);
    expect(events.at(-1)).toMatchObject({ type: "turn-end", reason: "aborted", text: "partial answer" });
    expect(provider.requests).toHaveLength(1);
    // what was said is kept in the session for the next turn
    const history = await (agent as unknown as { opts: { sessions: SessionStore } }).opts.sessions.load("k");
    expect(history.messages).toMatchObject([
      { role: "user", content: "talk" },
      { role: "assistant", content: "partial answer\n[aborted]" },
    ]);
  });

  it("an abort during tool execution gives every call a result and stops", async () => {
    const log: string[] = [];
    const provider = scripted(async function* () {
      yield { type: "tool-call", id: "t1", name: "slow", args: {} };
      yield { type: "finish", reason: "tool-calls" };
    });
    const agent = makeAgent(provider, new ToolRegistry([slowTool("slow", 5000, log)]));
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    for await (const e of agent.runTurn({ sessionKey: "k", input: "go", signal: controller.signal })) {
      events.push(e);
      if (e.type === "tool-call-start") setTimeout(() => controller.abort(), 20);
    }
    expect(events.at(-1)).toMatchObject({ type: "turn-end", reason: "aborted" });
    expect(events.find((e) => e.type === "tool-call-end")).toMatchObject({ ok: false });
    expect(provider.requests).toHaveLength(1);
  });

  it("the iteration cap gives a clear final message", async () => {
    const provider = loopsForever();
    const events = await collect(
      makeAgent(provider, new ToolRegistry([echo]), 2).runTurn({ sessionKey: "k", input: "x" }),
    );
    expect(provider.requests).toHaveLength(2);
    const end = events.at(-1);
    expect(end).toMatchObject({ type: "turn-end", reason: "max-iterations", iterations: 2 });
    expect(end?.type === "turn-end" && end.text).toMatch(/stopped after 2 tool steps/);
  });

  it("a turn's own maxIterations overrides the configured cap", async () => {
    const provider = loopsForever();
    const agent = makeAgent(provider, new ToolRegistry([echo]), 10);
    const events = await collect(agent.runTurn({ sessionKey: "k", input: "x", maxIterations: 3 }));
    expect(provider.requests).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: "turn-end", reason: "max-iterations", iterations: 3 });
  });

  it("usage events are summed into the turn and recorded", async () => {
    const provider = scripted(async function* () {
      yield { type: "text-delta", text: "hi" };
      yield { type: "usage", usage: { input: 3, output: 4, cacheRead: 1 } };
      yield { type: "finish", reason: "stop" };
    });
    const agent = makeAgent(provider, new ToolRegistry());
    const events = await collect(agent.runTurn({ sessionKey: "s1", input: "x" }));
    expect(events.at(-1)).toMatchObject({ type: "turn-end", usage: { input: 3, output: 4, cacheRead: 1 } });
    expect(await agent.sessionUsage("s1")).toMatchObject({ input: 3, output: 4 });
  });
});
