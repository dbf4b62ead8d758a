import { afterEach, describe, expect, it, vi } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import type { ResolvedProvider } from "../../src/providers/resolve.js";
import { findSpec } from "../../src/providers/specs.js";
import type { ChatRequest, StreamEvent } from "../../src/providers/types.js";
import { startFakeAnthropic } from "../fakes/anthropic-server.js";
import { type FakeLlm, type FakeLlmOptions, startFakeOpenAI } from "../fakes/openai-server.js";
import { collect } from "../fakes/sse.js";

type Wire = "openai" | "anthropic";
let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  vi.restoreAllMocks();
});

function resolved(wire: Wire, url: string): ResolvedProvider {
  return {
    name: wire,
    spec: findSpec(wire)!,
    model: "m-test",
    apiKey: "sk-test-0123456789",
    apiBase: url,
    extraHeaders: {},
    reason: "test",
  };
}

async function run(wire: Wire, opts: FakeLlmOptions): Promise<StreamEvent[]> {
  fake = wire === "openai" ? await startFakeOpenAI(opts) : await startFakeAnthropic(opts);
  const p = createProvider(resolved(wire, fake.url), {
    policy: { retryBaseMs: 5, maxRetries: 1, requestTimeoutMs: 2000, streamTimeoutMs: 4000 },
  });
  const req: ChatRequest = { model: "m-test", system: "", messages: [{ role: "user", content: "hi" }] };
  return collect(p.stream(req));
}

const PORTAL = `<!DOCTYPE html><html><head><title>Hotel WiFi Login</title></head><body>${"<p>Please accept the terms.</p>".repeat(200)}</body></html>`;
const PROXY_502 = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>${"<!-- padding -->".repeat(100)}</body></html>`;

const lastError = (evs: StreamEvent[]) => {
  const last = evs.at(-1);
  if (last?.type !== "error") throw new Error(`the stream did not end in an error: ${JSON.stringify(evs)}`);
  return last.error;
};

describe.each<Wire>(["openai", "anthropic"])("answers that are not answers (%s)", (wire) => {
  it("a 200 HTML captive portal is one error naming the provider and the content type", async () => {
    const evs = await run(wire, {
      steps: [{ fault: { status: 200, contentType: "text/html", body: PORTAL } }],
    });
    expect(evs.filter((e) => e.type === "text-delta" || e.type === "finish")).toEqual([]);
    const err = lastError(evs);
    expect(err.message).toContain(wire);
    expect(err.message).toContain("text/html");
    expect(err.message).not.toContain("<p>");
    expect(err.message.split("\n")).toHaveLength(1);
  });

  it("a 200 whose body is {} is an error, not an empty success", async () => {
    const evs = await run(wire, { steps: [{ fault: { status: 200, body: "{}" } }] });
    expect(evs.some((e) => e.type === "finish")).toBe(false);
    const err = lastError(evs);
    expect(err.message).toContain(wire);
    expect(err.message).toContain("application/json");
  });

  it("a stream that ends without a finish reason is an error after the partial text", async () => {
    const evs = await run(wire, {
      steps: [{ text: ["one ", "two ", "three ", "four ", "five ", "six"], fault: "no-finish" }],
    });
    expect(evs.some((e) => e.type === "text-delta")).toBe(true);
    expect(evs.some((e) => e.type === "finish")).toBe(false);
    const err = lastError(evs);
    expect(err.message).toBe(`${wire}'s stream ended before the answer was complete (no finish reason)`);
  });

  it("an HTML error page is reduced to its status and title", async () => {
    const evs = await run(wire, {
      steps: [{ fault: { status: 502, contentType: "text/html", body: PROXY_502 } }],
    });
    const err = lastError(evs);
    expect(err.status).toBe(502);
    expect(err.message).toContain("502 Bad Gateway");
    expect(err.message).not.toMatch(/<|nginx|padding/);
  });

  it("an SDK parse failure writes nothing raw to stderr", async () => {
    const spy = vi.spyOn(console, "error");
    const warn = vi.spyOn(console, "warn");
    const bad = wire === "openai" ? "data: {not json\n\n" : "event: content_block_delta\ndata: {not json\n\n";
    await run(wire, { steps: [{ fault: { status: 200, contentType: "text/event-stream", body: bad } }] });
    expect(spy).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });
});
