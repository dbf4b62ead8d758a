import { afterEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/create.js";
import type { CredentialsRequest, RequestCredentials } from "../../src/providers/credentials.js";
import type { ResolvedProvider } from "../../src/providers/resolve.js";
import { findSpec } from "../../src/providers/specs.js";
import type { ChatRequest, StreamEvent } from "../../src/providers/types.js";
import { startFakeAnthropic } from "../fakes/anthropic-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { collect, type FakeStep } from "../fakes/sse.js";

/**
 * The shared adapter skeleton: credentials asked per request, and one refresh-and-retry on a 401.
 * Run against both existing wires, through their real SDKs.
 */
type Wire = "openai" | "anthropic";
let fake: FakeLlm | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const fast = { retryBaseMs: 5, maxRetries: 1, requestTimeoutMs: 2000, streamTimeoutMs: 4000 };
const hello: ChatRequest = { model: "m-test", system: "", messages: [{ role: "user", content: "hi" }] };
const texts = (evs: StreamEvent[]) => evs.flatMap((e) => (e.type === "text-delta" ? [e.text] : []));

async function start(wire: Wire, steps: FakeStep[]): Promise<FakeLlm> {
  fake = wire === "openai" ? await startFakeOpenAI({ steps }) : await startFakeAnthropic({ steps });
  return fake;
}

function resolved(wire: Wire, url: string): ResolvedProvider {
  return {
    name: wire,
    spec: findSpec(wire)!,
    model: "m-test",
    apiKey: undefined,
    apiBase: url,
    extraHeaders: {},
    reason: "test",
  };
}

/** A getter over a token that "rotates" on every forced refresh, recording how it was asked. */
function rotating(tokens: string[], extra: Record<string, string> = {}) {
  const calls: CredentialsRequest[] = [];
  let i = 0;
  const getter = async (req: CredentialsRequest = {}): Promise<RequestCredentials> => {
    calls.push(req);
    if (req.forceRefresh && i < tokens.length - 1) i++;
    return { bearer: tokens[i], headers: extra };
  };
  return { getter, calls };
}

const bearerOf = (f: FakeLlm, i: number) => f.requests[i]?.headers.authorization;

describe.each<Wire>(["openai", "anthropic"])("per-request credentials (%s)", (wire) => {
  it("asks the getter on every request, so a token rotated meanwhile is used by the next one", async () => {
    const f = await start(wire, [{ text: "one" }, { text: "two" }]);
    let token = "tok-first-0123456789";
    const calls: CredentialsRequest[] = [];
    const p = createProvider(resolved(wire, f.url), {
      policy: fast,
      credentials: async (req = {}) => {
        calls.push(req);
        return { bearer: token, headers: { "x-account": "acct-1" } };
      },
    });
    expect(texts(await collect(p.stream(hello)))).toEqual(["one"]);
    token = "tok-second-0123456789";
    expect(texts(await collect(p.stream(hello)))).toEqual(["two"]);
    expect(bearerOf(f, 0)).toBe("Bearer tok-first-0123456789");
    expect(bearerOf(f, 1)).toBe("Bearer tok-second-0123456789");
    expect(f.requests[1]?.headers["x-account"]).toBe("acct-1");
    expect(calls.map((c) => c.forceRefresh ?? false)).toEqual([false, false]);
  });

  it("a 401 refreshes once and retries once with the new credential", async () => {
    const f = await start(wire, [{ fault: { status: 401 } }, { text: "answer" }]);
    const { getter, calls } = rotating(["tok-old-0123456789", "tok-new-0123456789"]);
    const p = createProvider(resolved(wire, f.url), { policy: fast, credentials: getter });
    const evs = await collect(p.stream(hello));
    expect(texts(evs)).toEqual(["answer"]);
    expect(evs.some((e) => e.type === "error")).toBe(false);
    expect(calls.map((c) => c.forceRefresh ?? false)).toEqual([false, true]);
    expect(f.requests.map((_, i) => bearerOf(f, i))).toEqual([
      "Bearer tok-old-0123456789",
      "Bearer tok-new-0123456789",
    ]);
  });

  it("a 401 whose refresh returns the same credential is reported without a second request", async () => {
    const f = await start(wire, [{ fault: { status: 401 } }, { text: "never" }]);
    const { getter, calls } = rotating(["tok-only-0123456789"]);
    const p = createProvider(resolved(wire, f.url), { policy: fast, credentials: getter });
    const evs = await collect(p.stream(hello));
    expect(evs).toHaveLength(1);
    expect(evs[0]?.type === "error" && evs[0].error.status).toBe(401);
    expect(calls).toHaveLength(2);
    expect(f.requests).toHaveLength(1);
  });

  it("a second 401 after the refresh is final: two requests, never three", async () => {
    const f = await start(wire, [{ fault: { status: 401 } }]);
    const { getter } = rotating(["tok-a-0123456789", "tok-b-0123456789", "tok-c-0123456789"]);
    const p = createProvider(resolved(wire, f.url), { policy: fast, credentials: getter });
    const evs = await collect(p.stream(hello));
    expect(evs.at(-1)?.type === "error" && evs.at(-1)).toBeTruthy();
    expect(f.requests).toHaveLength(2);
    const err = evs.at(-1);
    expect(err?.type === "error" && err.error.message).not.toContain("tok-b-0123456789");
  });

  it("a getter that throws is one auth error, its fix line as the hint, and no request", async () => {
    const f = await start(wire, [{ text: "never" }]);
    const p = createProvider(resolved(wire, f.url), {
      policy: fast,
      credentials: async () => {
        throw new Error("no login found: run `example login`");
      },
    });
    const evs = await collect(p.stream(hello));
    expect(evs).toHaveLength(1);
    const ev = evs[0];
    expect(ev?.type === "error" && ev.error.code).toBe("auth");
    expect(ev?.type === "error" && ev.error.message).toBe("no login found");
    expect(ev?.type === "error" && ev.error.hint).toBe("run `example login`");
    expect(f.requests).toHaveLength(0);
  });
});
