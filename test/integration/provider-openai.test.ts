import { afterEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import { probeOllama } from "../../src/providers/ollama-probe.js";
import type { ResolvedProvider } from "../../src/providers/resolve.js";
import { findSpec } from "../../src/providers/specs.js";
import type { ChatRequest, StreamEvent } from "../../src/providers/types.js";
import { bodyOf, type FakeLlm, type FakeLlmOptions, startFakeOpenAI } from "../fakes/openai-server.js";
import { collect } from "../fakes/sse.js";

const KEY = "sk-test-openai-0123456789";
let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function resolved(url: string, name = "openai", extraHeaders: Record<string, string> = {}): ResolvedProvider {
  return {
    name,
    spec: findSpec(name)!,
    model: "gpt-test",
    apiKey: KEY,
    apiBase: url,
    extraHeaders,
    reason: "test",
  };
}

async function start(opts: FakeLlmOptions): Promise<FakeLlm> {
  fake = await startFakeOpenAI(opts);
  return fake;
}

const hello: ChatRequest = {
  model: "gpt-test",
  system: "be brief",
  messages: [{ role: "user", content: "hi" }],
};
const texts = (evs: StreamEvent[]) => evs.flatMap((e) => (e.type === "text-delta" ? [e.text] : []));
// undici frees a keep-alive socket a moment after the body ends; a call made at once may open another.
const settle = () => new Promise((r) => setTimeout(r, 50));
const fast = { retryBaseMs: 10, requestTimeoutMs: 2000, streamTimeoutMs: 4000 };

describe("openai-chat adapter against the fake server", () => {
  it("streams text deltas, usage and finish, and sends the key, extra headers and include_usage", async () => {
    const f = await start({ steps: [{ text: ["Hel", "lo", " world"], usage: { input: 12, output: 3 } }] });
    const p = createProvider(resolved(f.url, "openai", { "x-kavilo-test": "yes" }));
    const evs = await collect(p.stream(hello));
    expect(texts(evs)).toEqual(["Hel", "lo", " world"]);
    expect(evs.at(-2)).toEqual({
      type: "usage",
      usage: { input: 12, output: 3, reasoning: 0, cacheRead: 0 },
    });
    expect(evs.at(-1)).toEqual({ type: "finish", reason: "stop" });
    const req = f.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers["x-kavilo-test"]).toBe("yes");
    const body = bodyOf(req);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
    ]);
  });

  it("assembles tool-call argument fragments by index", async () => {
    const f = await start({
      steps: [
        {
          text: "Let me look.",
          toolCalls: [
            { id: "call_a", name: "read_file", args: { path: "notes/todo.md", limit: 20 } },
            { id: "call_b", name: "list_directory", args: { path: "." } },
          ],
        },
      ],
    });
    const evs = await collect(createProvider(resolved(f.url)).stream(hello));
    const calls = evs.filter((e) => e.type === "tool-call");
    expect(calls).toEqual([
      { type: "tool-call", id: "call_a", name: "read_file", args: { path: "notes/todo.md", limit: 20 } },
      { type: "tool-call", id: "call_b", name: "list_directory", args: { path: "." } },
    ]);
    expect(evs.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });
  });

  it("keeps invalid tool arguments as _raw", async () => {
    const chunk = (delta: object, fr: string | null = null) =>
      `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: fr }] })}\n\n`;
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(
        chunk({
          tool_calls: [
            { index: 0, id: "c1", type: "function", function: { name: "shell", arguments: '{"cmd": ' } },
          ],
        }),
      );
      res.write(chunk({}, "tool_calls"));
      res.end("data: [DONE]\n\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const evs = await collect(createProvider(resolved(`http://127.0.0.1:${port}/v1`)).stream(hello));
      expect(evs.find((e) => e.type === "tool-call")).toEqual({
        type: "tool-call",
        id: "c1",
        name: "shell",
        args: { _raw: '{"cmd": ' },
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("reports cached and reasoning tokens, and reasoning_content as reasoning deltas", async () => {
    const f = await start({
      steps: [
        {
          reasoning: "think it through",
          text: "42",
          usage: { input: 100, output: 20, cacheRead: 60, reasoning: 7 },
        },
      ],
    });
    const evs = await collect(createProvider(resolved(f.url)).stream(hello));
    const reasoning = evs.flatMap((e) => (e.type === "reasoning-delta" ? [e.text] : []));
    expect(reasoning.join("")).toBe("think it through");
    expect(evs.findIndex((e) => e.type === "reasoning-delta")).toBeLessThan(
      evs.findIndex((e) => e.type === "text-delta"),
    );
    expect(evs.find((e) => e.type === "usage")).toEqual({
      type: "usage",
      usage: { input: 100, output: 20, reasoning: 7, cacheRead: 60 },
    });
  });

  it("maps a tool loop's second request: assistant tool_calls, tool result with its call id, images", async () => {
    const f = await start({ steps: [{ text: "done" }] });
    const p = createProvider(resolved(f.url, "deepseek"));
    await collect(
      p.stream({
        model: "deepseek-chat",
        system: "sys",
        maxTokens: 500,
        temperature: 0.2,
        tools: [
          { name: "screenshot", description: "take one", parameters: { type: "object", properties: {} } },
        ],
        messages: [
          { role: "user", content: "look" },
          {
            role: "assistant",
            content: "",
            toolCalls: [{ id: "call_9", name: "screenshot", args: { full: true } }],
          },
          {
            role: "tool",
            toolCallId: "call_9",
            toolName: "screenshot",
            content: [
              { type: "text", text: "captured" },
              { type: "image", mediaType: "image/png", data: "AAAA" },
            ],
          },
        ],
      }),
    );
    const body = bodyOf(f.requests[0]);
    expect(body.max_tokens).toBe(500);
    expect(body.max_completion_tokens).toBeUndefined();
    expect(body.temperature).toBe(0.2);
    expect(body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "screenshot",
          description: "take one",
          parameters: { type: "object", properties: {} },
        },
      },
    ]);
    const msgs = body.messages as Record<string, unknown>[];
    expect(msgs[0]).toEqual({ role: "system", content: "sys" });
    expect(msgs[2]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_9", type: "function", function: { name: "screenshot", arguments: '{"full":true}' } },
      ],
    });
    expect(msgs[3]).toMatchObject({ role: "tool", tool_call_id: "call_9" });
    expect(msgs[3]?.content).toContain("captured");
    expect(msgs[4]).toMatchObject({
      role: "user",
      content: [{ type: "text" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }],
    });
  });

  it("uses max_completion_tokens and reasoning_effort for api.openai.com-style providers", async () => {
    const f = await start({ steps: [{ text: "ok" }] });
    await collect(
      createProvider(resolved(f.url)).stream({ ...hello, maxTokens: 64, reasoningEffort: "low" }),
    );
    const body = bodyOf(f.requests[0]);
    expect(body.max_completion_tokens).toBe(64);
    expect(body.max_tokens).toBeUndefined();
    expect(body.reasoning_effort).toBe("low");
  });

  it("sends the Azure key as api-key as well", async () => {
    const f = await start({ steps: [{ text: "ok" }] });
    await collect(createProvider(resolved(f.url, "azure")).stream(hello));
    expect(f.requests[0]?.headers["api-key"]).toBe(KEY);
  });

  it("sends no Authorization header to a keyless local server", async () => {
    const f = await start({ steps: [{ text: "ok" }] });
    const r = { ...resolved(f.url, "ollama"), apiKey: undefined };
    const evs = await collect(createProvider(r).stream(hello));
    expect(texts(evs)).toEqual(["ok"]);
    expect(f.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe("openai-chat adapter under the HTTP policy", () => {
  it("honours retry-after on 429 and retries once", async () => {
    const f = await start({ steps: [{ fault: { status: 429, retryAfter: 1 } }, { text: "ok" }] });
    const lines: string[] = [];
    const t0 = Date.now();
    const evs = await collect(
      createProvider(resolved(f.url), { policy: fast, log: (l) => lines.push(l) }).stream(hello),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(f.requests).toHaveLength(2);
    expect(evs[0]).toMatchObject({ type: "retry", attempt: 1, delayMs: 1000, fresh: false });
    expect(texts(evs)).toEqual(["ok"]);
    expect(lines.join("\n")).toContain("status=429");
    expect(lines.join("\n")).not.toContain(KEY);
  });

  it("retries a 500 and then succeeds", async () => {
    const f = await start({ steps: [{ fault: { status: 500 } }, { text: "fine" }] });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    expect(evs.map((e) => e.type)).toEqual(["retry", "text-delta", "usage", "finish"]);
    expect(f.requests).toHaveLength(2);
  });

  it("times out a stalled stream, retries on a fresh connection, then returns to the pool", async () => {
    const f = await start({
      steps: [
        { text: "warm" },
        { fault: "stall" },
        { text: "after" },
        { text: "pooled" },
        { text: "pooled" },
      ],
    });
    const lines: string[] = [];
    const p = createProvider(resolved(f.url), {
      policy: { requestTimeoutMs: 300, streamTimeoutMs: 300, retryBaseMs: 10 },
      log: (l) => lines.push(l),
    });
    await collect(p.stream(hello));
    await settle();
    const t0 = Date.now();
    const evs = await collect(p.stream(hello));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(evs[0]).toMatchObject({ type: "retry", attempt: 1, fresh: true });
    expect(texts(evs)).toEqual(["after"]);
    expect(lines.some((l) => l.includes("fresh_retry=true") && l.includes("code=timeout"))).toBe(true);
    const [warm, stalled, retried] = f.requests;
    expect(stalled?.connectionId).toBe(warm?.connectionId);
    expect(stalled?.headers.connection).toBe("keep-alive");
    // The retry went over its own connection, used once and closed.
    expect(retried?.connectionId).not.toBe(stalled?.connectionId);
    expect(retried?.headers.connection).toBe("close");

    // Later calls go through the keep-alive pool again.
    await settle();
    await collect(p.stream(hello));
    await settle();
    await collect(p.stream(hello));
    const [, , , third, fourth] = f.requests;
    expect(third?.headers.connection).toBe("keep-alive");
    expect(third?.connectionId).not.toBe(retried?.connectionId);
    expect(fourth?.connectionId).toBe(third?.connectionId);
  });

  it("ends in an error, without retrying, when the connection drops mid-stream", async () => {
    const f = await start({
      steps: [{ text: ["one ", "two ", "three ", "four ", "five ", "six"], fault: "drop" }],
    });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    const last = evs.at(-1);
    expect(last?.type).toBe("error");
    if (last?.type === "error") expect(last.error.code).toBe("network");
    expect(evs.some((e) => e.type === "retry")).toBe(false);
    const got = texts(evs);
    expect(got.length).toBeGreaterThan(0);
    expect(new Set(got).size).toBe(got.length);
    expect(f.requests).toHaveLength(1);
  });

  it("retries a refused connection on a fresh connection and reports a network error", async () => {
    const f = await start({});
    const url = f.url;
    await f.close();
    fake = undefined;
    const evs = await collect(
      createProvider(resolved(url), { policy: { ...fast, maxRetries: 1 } }).stream(hello),
    );
    expect(evs[0]).toMatchObject({ type: "retry", fresh: true });
    expect(evs.at(-1)).toMatchObject({ type: "error", retryable: true });
    const last = evs.at(-1);
    if (last?.type === "error") expect(last.error.code).toBe("network");
  });

  it("maps 401 to an auth error with a hint and does not retry it", async () => {
    const f = await start({
      steps: [
        {
          fault: {
            status: 401,
            body: JSON.stringify({ error: { message: `bad key ${KEY}`, type: "invalid_request_error" } }),
          },
        },
      ],
    });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    expect(evs).toHaveLength(1);
    const e = evs[0];
    expect(e?.type).toBe("error");
    if (e?.type === "error") {
      expect(e.error.code).toBe("auth");
      expect(e.error.status).toBe(401);
      expect(e.error.hint).toContain("OPENAI_API_KEY");
      expect(e.error.message).not.toContain(KEY);
      expect(e.retryable).toBe(false);
    }
    expect(f.requests).toHaveLength(1);
  });

  it("a 401 with the key from KAVILO_API_KEY names KAVILO_API_KEY in the hint", async () => {
    const f = await start({ steps: [{ fault: { status: 401 } }] });
    const r = { ...resolved(f.url), keySource: "KAVILO_API_KEY" };
    const [e] = await collect(createProvider(r, { policy: fast }).stream(hello));
    const hint = e?.type === "error" ? e.error.hint : undefined;
    expect(hint).toBe("check KAVILO_API_KEY");
  });

  it("says how long the server asked to wait when that is past the cap", async () => {
    const f = await start({ steps: [{ fault: { status: 429, retryAfter: 120 } }, { text: "never" }] });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(hello));
    expect(f.requests).toHaveLength(1);
    expect(evs).toHaveLength(1);
    const hint = evs[0]?.type === "error" ? evs[0].error.hint : undefined;
    expect(hint).toBe("rate limited: the server asks to retry after 120 s (kavilo waits at most 60 s)");
  });

  it("aborts a stalled request promptly", async () => {
    const f = await start({ steps: [{ fault: "stall" }] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const evs = await collect(createProvider(resolved(f.url)).stream(hello, ac.signal));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: "error", retryable: false });
    if (evs[0]?.type === "error") expect(evs[0].error.code).toBe("aborted");
  });

  it("aborts during a retry wait", async () => {
    const f = await start({ steps: [{ fault: { status: 429, retryAfter: 10 } }, { text: "late" }] });
    const ac = new AbortController();
    const t0 = Date.now();
    const evs: StreamEvent[] = [];
    for await (const e of createProvider(resolved(f.url)).stream(hello, ac.signal)) {
      evs.push(e);
      if (e.type === "retry") ac.abort();
    }
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(evs.map((e) => e.type)).toEqual(["retry", "error"]);
    expect(f.requests).toHaveLength(1);
  });
});

describe("openai fake extras", () => {
  it("lists models and, with ollama: true, answers /api/tags for the Ollama probe", async () => {
    const f = await start({ ollama: true });
    const models = (await (await fetch(`${f.url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["fake-model"]);
    expect(await probeOllama({ OLLAMA_HOST: f.origin })).toEqual({ baseUrl: f.origin, models: ["llama3.2"] });
    // An explicit address wins over OLLAMA_HOST (the configured providers.ollama.apiBase).
    expect(await probeOllama({ OLLAMA_HOST: "127.0.0.1:9" }, 400, `${f.origin}/`)).toEqual({
      baseUrl: f.origin,
      models: ["llama3.2"],
    });
  });
});

describe("createProvider", () => {
  it("gives openai_codex without a ChatGPT login one error saying to run codex login", async () => {
    const spec = findSpec("openai_codex")!;
    const p = createProvider({
      name: spec.name,
      spec,
      model: "gpt-5.5",
      apiKey: undefined,
      apiBase: undefined,
      extraHeaders: {},
      reason: "t",
    });
    const evs = await collect(p.stream(hello));
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: "error", retryable: false });
    if (evs[0]?.type === "error") {
      expect(evs[0].error.code).toBe("auth");
      expect(evs[0].error.hint).toContain("codex login");
    }
  });
});
