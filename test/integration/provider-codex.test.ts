import { afterEach, describe, expect, it, vi } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import type { CredentialsRequest, RequestCredentials } from "../../src/providers/credentials.js";
import type { ResolvedProvider } from "../../src/providers/resolve.js";
import { findSpec } from "../../src/providers/specs.js";
import type { ChatRequest, Message, StreamEvent } from "../../src/providers/types.js";
import {
  type FakeCodexOptions,
  type FakeLlm,
  startFakeCodex,
  usageLimitBody,
} from "../fakes/codex-server.js";
import { bodyOf, collect } from "../fakes/sse.js";

let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const TOKEN = "codex-access-token-0123456789";
const fast = { retryBaseMs: 5, maxRetries: 2, requestTimeoutMs: 2000, streamTimeoutMs: 4000 };
const creds = async (): Promise<RequestCredentials> => ({
  bearer: TOKEN,
  headers: { "ChatGPT-Account-ID": "acct-123" },
});

function resolved(url: string): ResolvedProvider {
  const spec = findSpec("openai_codex")!;
  return {
    name: spec.name,
    spec,
    model: "gpt-5.5",
    apiKey: undefined,
    apiBase: url,
    extraHeaders: {},
    reason: "t",
  };
}

async function start(opts: FakeCodexOptions): Promise<FakeLlm> {
  fake = await startFakeCodex(opts);
  return fake;
}

const tools = [{ name: "write_file", description: "write", parameters: { type: "object", properties: {} } }];
const ask: ChatRequest = {
  model: "gpt-5.5",
  system: "You are kavilo. Current time: now.",
  messages: [{ role: "user", content: "write a.txt" }],
  tools,
  maxTokens: 999,
  temperature: 0.3,
  reasoningEffort: "high",
};
const of = <T extends StreamEvent["type"]>(evs: StreamEvent[], t: T) =>
  evs.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === t);

describe("openai_codex (Responses on the Codex backend) against the fake", () => {
  it("sends the Codex body and headers, and maps reasoning, text, calls and usage", async () => {
    const f = await start({
      steps: [
        {
          reasoning: "thinking about files",
          text: "Writing it.",
          toolCalls: [
            { id: "call_a", name: "write_file", args: { path: "a.txt", content: "x" } },
            { id: "call_b", name: "write_file", args: { path: "b.txt", content: "y" } },
          ],
          usage: { input: 100, output: 40, reasoning: 25, cacheRead: 60 },
        },
      ],
    });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
    const evs = await collect(p.stream(ask));
    expect(
      of(evs, "reasoning-delta")
        .map((e) => e.text)
        .join(""),
    ).toBe("thinking about files");
    expect(
      of(evs, "text-delta")
        .map((e) => e.text)
        .join(""),
    ).toBe("Writing it.");
    expect(of(evs, "tool-call")).toEqual([
      { type: "tool-call", id: "call_a", name: "write_file", args: { path: "a.txt", content: "x" } },
      { type: "tool-call", id: "call_b", name: "write_file", args: { path: "b.txt", content: "y" } },
    ]);
    expect(of(evs, "usage")).toEqual([
      { type: "usage", usage: { input: 100, output: 40, reasoning: 25, cacheRead: 60 } },
    ]);
    expect(evs.at(-1)).toEqual({ type: "finish", reason: "tool-calls" });

    const req = f.requests[0]!;
    expect(req.path).toBe("/backend-api/codex/responses");
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers["chatgpt-account-id"]).toBe("acct-123");
    expect(req.headers.originator).toBe("kavilo");
    const body = bodyOf(req);
    expect(body).toMatchObject({
      model: "gpt-5.5",
      instructions: ask.system,
      store: false,
      stream: true,
      include: ["reasoning.encrypted_content"],
      reasoning: { effort: "high", summary: "auto" },
      tools: [
        { type: "function", name: "write_file", description: "write", parameters: tools[0]?.parameters },
      ],
    });
    for (const k of ["max_output_tokens", "temperature", "top_p", "max_tokens"])
      expect(body).not.toHaveProperty(k);
    expect(body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "write a.txt" }] },
    ]);
    expect(body.prompt_cache_key).toMatch(/^kavilo-[0-9a-f]{40}$/);
    expect(req.headers.session_id).toBe(body.prompt_cache_key);
  });

  it("replays the reasoning items and pairs each function_call_output with its call_id", async () => {
    const f = await start({
      steps: [
        { reasoning: "plan", toolCalls: [{ id: "call_1", name: "write_file", args: {} }] },
        { text: "done" },
      ],
    });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
    await collect(p.stream(ask));
    const history: Message[] = [
      ...ask.messages,
      { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "write_file", args: {} }] },
      { role: "tool", toolCallId: "call_1", toolName: "write_file", content: "wrote a.txt" },
    ];
    const evs = await collect(p.stream({ ...ask, messages: history }));
    expect(of(evs, "text-delta").map((e) => e.text)).toEqual(["done"]);
    const first = bodyOf(f.requests[0]);
    const second = bodyOf(f.requests[1]);
    expect(second.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "write a.txt" }] },
      { type: "reasoning", summary: [{ type: "summary_text", text: "plan" }], encrypted_content: "enc-0" },
      { type: "function_call", call_id: "call_1", name: "write_file", arguments: "{}" },
      { type: "function_call_output", call_id: "call_1", output: "wrote a.txt" },
    ]);
    // One conversation, one cache key, although the input grew.
    expect(second.prompt_cache_key).toBe(first.prompt_cache_key);
  });

  it("gives the same prompt_cache_key to a fresh provider (another process) and a new key to another conversation", async () => {
    const f = await start({ steps: [{ text: "ok" }] });
    const make = () => createProvider(resolved(f.url), { policy: fast, credentials: creds });
    await collect(make().stream(ask));
    await collect(make().stream({ ...ask, system: "You are kavilo. Current time: later." }));
    await collect(make().stream({ ...ask, messages: [{ role: "user", content: "something else" }] }));
    const keys = f.requests.map((r) => bodyOf(r).prompt_cache_key);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("a stream that ends before response.completed is an error after its partial text", async () => {
    const f = await start({ steps: [{ text: "half an answer", cutBeforeCompleted: true }] });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
    const evs = await collect(p.stream(ask));
    expect(of(evs, "text-delta").length).toBeGreaterThan(0);
    expect(of(evs, "finish")).toEqual([]);
    const last = evs.at(-1);
    expect(last?.type === "error" && last.error.message).toMatch(/ended before the answer was complete/);
    expect(f.requests).toHaveLength(1);
  });

  it("a 200 HTML page (a captive portal) is one error naming the provider and content type", async () => {
    const portal = `<html><head><title>Hotel WiFi</title></head><body>${"<p>accept</p>".repeat(50)}</body></html>`;
    const f = await start({ steps: [{ fault: { status: 200, contentType: "text/html", body: portal } }] });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
    const evs = await collect(p.stream(ask));
    expect(of(evs, "finish")).toEqual([]);
    const last = evs.at(-1);
    expect(last?.type === "error" && last.error.message).toMatch(/openai_codex.*text\/html/);
    expect(last?.type === "error" && last.error.message).not.toContain("<p>");
  });

  it("a 200 whose body is {} is an error naming the provider and content type, not an empty success", async () => {
    const f = await start({ steps: [{ fault: { status: 200, body: "{}" } }] });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
    const evs = await collect(p.stream(ask));
    expect(of(evs, "finish")).toEqual([]);
    const last = evs.at(-1);
    expect(last?.type === "error" && last.error.message).toMatch(/openai_codex.*application\/json/);
  });

  it("an HTML error page (a proxy's 502) is reduced to its status and title", async () => {
    const page = `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx${"<!-- pad -->".repeat(100)}</body></html>`;
    const f = await start({ steps: [{ fault: { status: 502, contentType: "text/html", body: page } }] });
    const p = createProvider(resolved(f.url), { policy: { ...fast, maxRetries: 0 }, credentials: creds });
    const last = (await collect(p.stream(ask))).at(-1);
    expect(last?.type).toBe("error");
    if (last?.type === "error") {
      expect(last.error.status).toBe(502);
      expect(last.error.message).toContain("502 Bad Gateway");
      expect(last.error.message).not.toMatch(/<|nginx|pad/);
      expect(last.error.message.split("\n")).toHaveLength(1);
    }
  });

  it("an event the SDK cannot parse writes nothing raw to stderr", async () => {
    const error = vi.spyOn(console, "error");
    const warn = vi.spyOn(console, "warn");
    try {
      const bad = "event: response.output_text.delta\ndata: {not json\n\n";
      const f = await start({
        steps: [{ fault: { status: 200, contentType: "text/event-stream", body: bad } }],
      });
      const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
      const last = (await collect(p.stream(ask))).at(-1);
      expect(last?.type).toBe("error");
      expect(error).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("response.failed is one error with the server's message and code", async () => {
    const f = await start({
      steps: [{ text: "par", failed: { code: "server_error", message: "model exploded" } }],
    });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
    const last = (await collect(p.stream(ask))).at(-1);
    expect(last?.type).toBe("error");
    if (last?.type === "error") {
      expect(last.error.message).toBe("openai_codex failed: model exploded (server_error)");
      expect(last.error.code).toBe("server");
    }
  });

  it("an error event before any output is classified by its code, so a rate limit is retried", async () => {
    const f = await start({
      steps: [
        { streamError: { code: "rate_limit_exceeded", message: "slow down" } },
        { text: "after the wait" },
      ],
    });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds });
    const evs = await collect(p.stream(ask));
    expect(of(evs, "retry")).toHaveLength(1);
    expect(of(evs, "retry")[0]?.reason).toContain("rate_limit");
    expect(
      of(evs, "text-delta")
        .map((e) => e.text)
        .join(""),
    ).toBe("after the wait");
  });

  it("a 429 usage_limit_reached names the plan and the reset time in the user's zone, without retrying", async () => {
    const resets = new Date("2031-03-04T05:06:00Z");
    const f = await start({ steps: [{ fault: { status: 429, body: usageLimitBody("plus", resets) } }] });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: creds, timezone: "Asia/Tokyo" });
    const evs = await collect(p.stream(ask));
    expect(evs).toHaveLength(1);
    const ev = evs[0];
    expect(ev?.type === "error" && ev.retryable).toBe(false);
    if (ev?.type === "error") {
      expect(ev.error.message).toContain("ChatGPT Plus plan's usage limit is reached");
      // 05:06 UTC is 14:06 in Tokyo.
      expect(ev.error.message).toMatch(/Tue,? 4 Mar 2031,? 14:06 GMT\+9/);
      expect(ev.error.code).toBe("rate_limit");
      expect(ev.error.status).toBe(429);
      expect(ev.error.message.split("\n")).toHaveLength(1);
    }
    expect(f.requests).toHaveLength(1);
  });

  it("a 401 refreshes once and retries with the new token; a second 401 says to re-run codex login", async () => {
    let token = "old-token-0123456789";
    const asked: CredentialsRequest[] = [];
    const rotating = async (req: CredentialsRequest = {}) => {
      asked.push(req);
      if (req.forceRefresh)
        token = token === "old-token-0123456789" ? "new-token-0123456789" : "newer-token-01234";
      return { bearer: token, headers: { "ChatGPT-Account-ID": "acct-123" } };
    };
    const f = await start({ acceptsBearer: (t) => t === "new-token-0123456789", steps: [{ text: "hi" }] });
    const p = createProvider(resolved(f.url), { policy: fast, credentials: rotating });
    expect(of(await collect(p.stream(ask)), "text-delta").map((e) => e.text)).toEqual(["hi"]);
    expect(asked.map((a) => a.forceRefresh ?? false)).toEqual([false, true]);

    token = "revoked-token-0123456789";
    const evs = await collect(p.stream(ask));
    const last = evs.at(-1);
    expect(last?.type === "error" && last.error.status).toBe(401);
    expect(last?.type === "error" && last.error.hint).toBe("re-run `codex login` and retry");
    expect(f.requests).toHaveLength(4);
  });

  it("without a credentials getter it says to run codex login, and sends nothing", async () => {
    const f = await start({ steps: [{ text: "never" }] });
    const evs = await collect(createProvider(resolved(f.url), { policy: fast }).stream(ask));
    expect(evs).toHaveLength(1);
    expect(evs[0]?.type === "error" && evs[0].error.hint).toContain("codex login");
    expect(f.requests).toHaveLength(0);
  });
});
