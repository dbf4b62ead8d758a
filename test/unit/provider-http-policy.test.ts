import { describe, expect, it } from "vitest";
import {
  backoffMs,
  DEFAULT_HTTP_POLICY,
  httpPolicyFromEnv,
  resolveHttpPolicy,
  retryAfterMs,
} from "../../src/providers/http-policy.js";
import { type AttemptContext, policyStream } from "../../src/providers/policy-stream.js";
import type { Transport } from "../../src/providers/transport.js";
import { ProviderError, type ProviderErrorCode, type StreamEvent } from "../../src/providers/types.js";
import { collect } from "../fakes/sse.js";

describe("http policy values", () => {
  it("has the documented defaults", () => {
    expect(resolveHttpPolicy()).toEqual({
      requestTimeoutMs: 45_000,
      streamTimeoutMs: 180_000,
      maxRetries: 3,
      retryBaseMs: 500,
      retryMaxMs: 20_000,
    });
  });

  it("reads KAVILO_CHAT_TIMEOUT_S, KAVILO_STREAM_TIMEOUT_S and KAVILO_RETRY_BASE_MS", () => {
    const p = resolveHttpPolicy(
      httpPolicyFromEnv({
        KAVILO_CHAT_TIMEOUT_S: "0.5",
        KAVILO_STREAM_TIMEOUT_S: "2",
        KAVILO_RETRY_BASE_MS: "5",
      }),
    );
    expect(p.requestTimeoutMs).toBe(500);
    expect(p.streamTimeoutMs).toBe(2000);
    expect(p.retryBaseMs).toBe(5);
    expect(p.retryMaxMs).toBe(200);
    expect(httpPolicyFromEnv({ KAVILO_CHAT_TIMEOUT_S: "soon", KAVILO_STREAM_TIMEOUT_S: "-1" })).toEqual({});
  });

  it("parses retry-after-ms, retry-after seconds and retry-after HTTP dates", () => {
    const h = (m: Record<string, string>) => (n: string) => m[n];
    expect(retryAfterMs(h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(retryAfterMs(h({ "retry-after": "2" }))).toBe(2000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(h({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), () => now)).toBe(3000);
    expect(retryAfterMs(h({ "retry-after": "whenever" }))).toBeUndefined();
    expect(retryAfterMs(h({}))).toBeUndefined();
  });

  it("backs off exponentially with jitter in the upper half, capped", () => {
    const p = DEFAULT_HTTP_POLICY;
    expect(backoffMs(0, p, () => 0)).toBe(250);
    expect(backoffMs(0, p, () => 1)).toBe(500);
    expect(backoffMs(2, p, () => 1)).toBe(2000);
    expect(backoffMs(10, p, () => 1)).toBe(20_000);
    expect(backoffMs(10, p, () => 0)).toBe(10_000);
  });
});

function fakeTransport(): { transport: Transport; fresh: number; closed: number } {
  const state = { fresh: 0, closed: 0, transport: undefined as unknown as Transport };
  const disposable = () => ({
    close: async () => {
      state.closed++;
    },
    destroy: async () => {
      state.closed++;
    },
  });
  state.transport = {
    fetch: globalThis.fetch,
    pooled: () => undefined,
    fresh: async () => {
      state.fresh++;
      return disposable() as unknown as Awaited<ReturnType<Transport["fresh"]>>;
    },
  };
  return state;
}

const fail = (code: ProviderErrorCode) => new ProviderError(code, { code, provider: "t" });

function run(attempt: (ctx: AttemptContext, n: number) => AsyncIterable<StreamEvent>, t = fakeTransport()) {
  let n = 0;
  const lines: string[] = [];
  const stream = policyStream({
    provider: "t",
    model: "m",
    policy: resolveHttpPolicy({ retryBaseMs: 1, maxRetries: 2, requestTimeoutMs: 200, streamTimeoutMs: 200 }),
    transport: async () => t.transport,
    attempt: (ctx) => attempt(ctx, n++),
    classify: (err) => ({ error: err instanceof ProviderError ? err : fail("unknown") }),
    log: (l) => lines.push(l),
  });
  return { stream, lines, t, attempts: () => n };
}

describe("policyStream", () => {
  it("gives up after maxRetries with the last error, retryable", async () => {
    const r = run(async function* () {
      yield* [];
      throw fail("server");
    });
    const evs = await collect(r.stream);
    expect(evs.map((e) => e.type)).toEqual(["retry", "retry", "error"]);
    expect(r.attempts()).toBe(3);
    expect(evs.at(-1)).toMatchObject({ type: "error", retryable: true });
    expect(r.lines.at(-1)).toContain("failed code=server attempts=3");
  });

  it("does not retry once something reached the consumer", async () => {
    const r = run(async function* () {
      yield { type: "text-delta", text: "partial" } as StreamEvent;
      throw fail("network");
    });
    const evs = await collect(r.stream);
    expect(evs.map((e) => e.type)).toEqual(["text-delta", "error"]);
    expect(r.attempts()).toBe(1);
  });

  it("does not wait out a server-requested delay beyond a minute", async () => {
    let n = 0;
    const evs = await collect(
      policyStream({
        provider: "t",
        model: "m",
        policy: resolveHttpPolicy({ retryBaseMs: 1 }),
        transport: async () => fakeTransport().transport,
        attempt: async function* () {
          n++;
          yield* [];
          throw fail("rate_limit");
        },
        classify: (err) => ({ error: err as ProviderError, retryAfterMs: 3_600_000 }),
      }),
    );
    expect(n).toBe(1);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: "error", retryable: true });
    const err = evs[0]?.type === "error" ? evs[0].error : undefined;
    expect(err?.code).toBe("rate_limit");
    expect(err?.hint).toBe("rate limited: the server asks to retry after 3600 s (kavilo waits at most 60 s)");
  });

  it("does not retry a bad request", async () => {
    const r = run(async function* () {
      yield* [];
      throw fail("bad_request");
    });
    const evs = await collect(r.stream);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: "error", retryable: false });
  });

  it("uses and disposes a fresh dispatcher after a network error, the pool after a 429", async () => {
    const seen: boolean[] = [];
    const r = run(async function* (ctx, n) {
      seen.push(ctx.fresh);
      if (n === 0) throw fail("network");
      if (n === 1) throw fail("rate_limit");
      yield { type: "finish", reason: "stop" } as StreamEvent;
    });
    const evs = await collect(r.stream);
    expect(seen).toEqual([false, true, false]);
    expect(evs.filter((e) => e.type === "retry").map((e) => e.type === "retry" && e.fresh)).toEqual([
      true,
      false,
    ]);
    expect(r.t.fresh).toBe(1);
    expect(r.t.closed).toBe(1);
  });

  it("times out an attempt whose server never answers, even if the attempt ignores its signal", async () => {
    const r = run(async function* () {
      await new Promise(() => {});
      yield { type: "finish", reason: "stop" } as StreamEvent;
    });
    const t0 = Date.now();
    const evs = await collect(r.stream);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(evs.at(-1)?.type === "error" && evs.at(-1)).toMatchObject({ error: { code: "timeout" } });
    expect(r.lines.some((l) => l.includes("fresh_retry=true"))).toBe(true);
  });
});
