import { afterEach, describe, expect, it, vi } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import type { ResolvedProvider } from "../../src/providers/resolve.js";
import { findSpec } from "../../src/providers/specs.js";
import type { ChatRequest, StreamEvent } from "../../src/providers/types.js";
import { bodyOf, type FakeLlm, type FakeLlmOptions, startFakeAnthropic } from "../fakes/anthropic-server.js";
import { collect } from "../fakes/sse.js";

const KEY = "sk-ant-test-0123456789abcdef";
let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function resolved(url: string, extraHeaders: Record<string, string> = {}, apiKey = KEY): ResolvedProvider {
  const spec = findSpec("anthropic")!;
  return {
    name: "anthropic",
    spec,
    model: "claude-test",
    apiKey,
    apiBase: url,
    extraHeaders,
    reason: "test",
  };
}

async function start(opts: FakeLlmOptions): Promise<FakeLlm> {
  fake = await startFakeAnthropic(opts);
  return fake;
}

const hello: ChatRequest = {
  model: "claude-test",
  system: "be brief",
  messages: [{ role: "user", content: "hi" }],
};
const texts = (evs: StreamEvent[]) => evs.flatMap((e) => (e.type === "text-delta" ? [e.text] : []));
const settle = () => new Promise((r) => setTimeout(r, 50));
const fast = { retryBaseMs: 10, requestTimeoutMs: 2000, streamTimeoutMs: 4000 };
const tools = [
  {
    name: "read_file",
    description: "read",
    parameters: { type: "object", properties: { path: { type: "string" } } },
  },
  {
    name: "shell",
    description: "run",
    parameters: { type: "object", properties: { cmd: { type: "string" } } },
  },
];

describe("anthropic adapter against the fake server", () => {
  it("streams text, reports usage with cache fields, and sends key, version and extra headers", async () => {
    const f = await start({
      steps: [{ text: ["Hel", "lo"], usage: { input: 150, output: 9, cacheRead: 100, cacheWrite: 20 } }],
    });
    const evs = await collect(createProvider(resolved(f.url, { "x-kavilo-test": "yes" })).stream(hello));
    expect(texts(evs)).toEqual(["Hel", "lo"]);
    expect(evs.at(-2)).toEqual({
      type: "usage",
      usage: { input: 150, output: 9, cacheRead: 100, cacheWrite: 20 },
    });
    expect(evs.at(-1)).toEqual({ type: "finish", reason: "stop" });
    const req = f.requests[0]!;
    expect(req.path).toBe("/v1/messages");
    expect(`${req.headers.authorization ?? ""}${req.headers["x-api-key"] ?? ""}`).toContain(KEY);
    expect(req.headers["anthropic-version"]).toBeTruthy();
    expect(req.headers["x-kavilo-test"]).toBe("yes");
    expect(bodyOf(req).max_tokens).toBe(8192);
  });

  it("the default model is one the SDK sends without a deprecation warning", async () => {
    const f = await start({ steps: [{ text: "ok" }] });
    const model = findSpec("anthropic")!.defaultModel!;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const evs = await collect(createProvider({ ...resolved(f.url), model }).stream({ ...hello, model }));
      expect(texts(evs)).toEqual(["ok"]);
      expect(bodyOf(f.requests[0]!).model).toBe(model);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("records thinking tokens from output_tokens_details as reasoning", async () => {
    const f = await start({
      steps: [{ reasoning: "hmm", text: "ok", usage: { input: 10, output: 40, reasoning: 25 } }],
    });
    const evs = await collect(createProvider(resolved(f.url)).stream(hello));
    expect(evs.find((e) => e.type === "usage")).toEqual({
      type: "usage",
      usage: { input: 10, output: 40, reasoning: 25 },
    });
  });

  it("assembles tool_use input from input_json_delta fragments", async () => {
    const f = await start({
      steps: [
        {
          text: "Checking.",
          toolCalls: [
            { id: "toolu_1", name: "read_file", args: { path: "a/b.txt" } },
            { id: "toolu_2", name: "shell", args: { cmd: "ls -la", timeout: 5 } },
          ],
        },
      ],
    });
    const evs = await collect(createProvider(resolved(f.url)).stream({ ...hello, tools }));
    expect(evs.filter((e) => e.type === "tool-call")).toEqual([
      { type: "tool-call", id: "toolu_1", name: "read_file", args: { path: "a/b.txt" } },
      { type: "tool-call", id: "toolu_2", name: "shell", args: { cmd: "ls -la", timeout: 5 } },
    ]);
    expect(evs.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });
  });

  it("turns thinking deltas into reasoning deltas", async () => {
    const f = await start({ steps: [{ reasoning: "consider the options", text: "B" }] });
    const evs = await collect(createProvider(resolved(f.url)).stream(hello));
    const reasoning = evs.flatMap((e) => (e.type === "reasoning-delta" ? [e.text] : []));
    expect(reasoning.join("")).toBe("consider the options");
    expect(texts(evs)).toEqual(["B"]);
  });

  it("maps a tool loop's second request: cache_control, tool_use, merged tool_result blocks", async () => {
    const f = await start({ steps: [{ text: "done" }] });
    await collect(
      createProvider(resolved(f.url)).stream({
        model: "claude-test",
        system: "you are kavilo",
        maxTokens: 1000,
        tools,
        messages: [
          { role: "user", content: "read two things" },
          {
            role: "assistant",
            content: "On it.",
            toolCalls: [
              { id: "toolu_a", name: "read_file", args: { path: "x" } },
              { id: "toolu_b", name: "shell", args: { cmd: "false" } },
            ],
          },
          { role: "tool", toolCallId: "toolu_a", toolName: "read_file", content: "contents of x" },
          {
            role: "tool",
            toolCallId: "toolu_b",
            toolName: "shell",
            content: [
              { type: "text", text: "exit 1" },
              { type: "image", mediaType: "image/png", data: "AAAA" },
            ],
            isError: true,
          },
        ],
      }),
    );
    const body = bodyOf(f.requests[0]);
    expect(body.max_tokens).toBe(1000);
    expect(body.system).toEqual([
      { type: "text", text: "you are kavilo", cache_control: { type: "ephemeral" } },
    ]);
    const sentTools = body.tools as Record<string, unknown>[];
    expect(sentTools[0]).toEqual({
      name: "read_file",
      description: "read",
      input_schema: tools[0]?.parameters,
    });
    expect(sentTools[1]?.cache_control).toEqual({ type: "ephemeral" });
    const msgs = body.messages as { role: string; content: Record<string, unknown>[] }[];
    expect(msgs).toHaveLength(3);
    expect(msgs[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "On it." },
        { type: "tool_use", id: "toolu_a", name: "read_file", input: { path: "x" } },
        { type: "tool_use", id: "toolu_b", name: "shell", input: { cmd: "false" } },
      ],
    });
    expect(msgs[2]?.role).toBe("user");
    expect(msgs[2]?.content[0]).toEqual({
      type: "tool_result",
      tool_use_id: "toolu_a",
      content: [{ type: "text", text: "contents of x" }],
    });
    expect(msgs[2]?.content[1]).toMatchObject({
      type: "tool_result",
      tool_use_id: "toolu_b",
      is_error: true,
      content: [
        { type: "text", text: "exit 1" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
      ],
      cache_control: { type: "ephemeral" },
    });
  });

  it("maps 401 to auth with a key hint, and 404 to not_found with a model hint", async () => {
    const f = await start({ steps: [{ fault: { status: 401 } }, { fault: { status: 404 } }] });
    const p = createProvider(resolved(f.url), { policy: fast });
    const [auth] = await collect(p.stream(hello));
    const [missing] = await collect(p.stream(hello));
    expect(auth?.type === "error" && auth.error.code).toBe("auth");
    expect(auth?.type === "error" && auth.error.hint).toContain("ANTHROPIC_API_KEY");
    expect(auth?.type === "error" && auth.error.status).toBe(401);
    expect(missing?.type === "error" && missing.error.code).toBe("not_found");
    expect(missing?.type === "error" && missing.error.hint).toContain("check the model name");
    expect(f.requests).toHaveLength(2);
  });

  it("reports a missing key for Anthropic's own host without calling it", async () => {
    const official = { ...resolved("https://api.anthropic.com"), apiKey: undefined };
    const evs = await collect(createProvider(official).stream(hello));
    expect(evs).toHaveLength(1);
    expect(evs[0]?.type === "error" && evs[0].error.code).toBe("auth");
  });

  it("talks to a keyless proxy off Anthropic's host with no credential header", async () => {
    const f = await start({ steps: [{ text: "ok" }] });
    const evs = await collect(createProvider({ ...resolved(f.url), apiKey: undefined }).stream(hello));
    expect(texts(evs)).toEqual(["ok"]);
    expect(f.requests[0]?.headers.authorization).toBeUndefined();
    expect(f.requests[0]?.headers["x-api-key"]).toBeUndefined();
  });

  it("a 401 with the key from KAVILO_API_KEY names KAVILO_API_KEY in the hint", async () => {
    const f = await start({ steps: [{ fault: { status: 401 } }] });
    const r = { ...resolved(f.url), keySource: "KAVILO_API_KEY" };
    const [auth] = await collect(createProvider(r, { policy: fast }).stream(hello));
    const hint = auth?.type === "error" ? auth.error.hint : undefined;
    expect(hint).toContain("KAVILO_API_KEY");
    expect(hint).not.toContain("ANTHROPIC_API_KEY");
  });
});

describe("anthropic adapter under the HTTP policy", () => {
  it("honours retry-after on 429", async () => {
    const f = await start({ steps: [{ fault: { status: 429, retryAfter: 1 } }, { text: "ok" }] });
    const t0 = Date.now();
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(f.requests).toHaveLength(2);
    expect(evs[0]).toMatchObject({ type: "retry", delayMs: 1000, fresh: false });
    expect(texts(evs)).toEqual(["ok"]);
  });

  it("retries a 529 overloaded and then succeeds", async () => {
    const f = await start({ steps: [{ fault: { status: 529 } }, { text: "fine" }] });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    expect(evs.map((e) => e.type)).toEqual(["retry", "text-delta", "usage", "finish"]);
    expect(f.requests).toHaveLength(2);
  });

  it("retries a 500 and then succeeds", async () => {
    const f = await start({ steps: [{ fault: { status: 500 } }, { text: "fine" }] });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    expect(evs[0]).toMatchObject({ type: "retry", attempt: 1 });
    expect(texts(evs)).toEqual(["fine"]);
  });

  it("times out a stall, retries on a fresh connection, then uses the pool again", async () => {
    const f = await start({
      steps: [{ text: "warm" }, { fault: "stall" }, { text: "after" }, { text: "p" }, { text: "p" }],
    });
    const lines: string[] = [];
    const p = createProvider(resolved(f.url), {
      policy: { requestTimeoutMs: 300, streamTimeoutMs: 300, retryBaseMs: 10 },
      log: (l) => lines.push(l),
    });
    await collect(p.stream(hello));
    await settle();
    const evs = await collect(p.stream(hello));
    expect(evs[0]).toMatchObject({ type: "retry", fresh: true });
    expect(texts(evs)).toEqual(["after"]);
    expect(lines.some((l) => l.includes("fresh_retry=true"))).toBe(true);
    const [warm, stalled, retried] = f.requests;
    expect(stalled?.connectionId).toBe(warm?.connectionId);
    expect(retried?.connectionId).not.toBe(stalled?.connectionId);
    expect(retried?.headers.connection).toBe("close");
    await settle();
    await collect(p.stream(hello));
    await settle();
    await collect(p.stream(hello));
    const [, , , third, fourth] = f.requests;
    expect(third?.headers.connection).toBe("keep-alive");
    expect(fourth?.connectionId).toBe(third?.connectionId);
  });

  it("ends in one error when the connection drops mid-stream, with no replayed text", async () => {
    const f = await start({
      steps: [{ text: ["a ", "b ", "c ", "d ", "e ", "f ", "g ", "h"], fault: "drop" }],
    });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    expect(evs.at(-1)?.type).toBe("error");
    expect(evs.filter((e) => e.type === "error" || e.type === "finish")).toHaveLength(1);
    expect(evs.some((e) => e.type === "retry")).toBe(false);
    const got = texts(evs);
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got).size).toBe(got.length);
    expect(f.requests).toHaveLength(1);
  });

  it("aborts a stalled stream promptly", async () => {
    const f = await start({ steps: [{ fault: "stall" }] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const evs = await collect(createProvider(resolved(f.url)).stream(hello, ac.signal));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(evs).toHaveLength(1);
    expect(evs[0]?.type === "error" && evs[0].error.code).toBe("aborted");
  });
});
