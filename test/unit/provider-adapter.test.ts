import { describe, expect, it } from "vitest";
import { createWireProvider, type WireSpec } from "../../src/providers/adapter.js";
import type { CredentialsRequest, RequestCredentials } from "../../src/providers/credentials.js";
import type { SdkErrorClasses } from "../../src/providers/errors.js";
import { resolveHttpPolicy } from "../../src/providers/http-policy.js";
import type { AdapterDeps } from "../../src/providers/policy-stream.js";
import { createTransport } from "../../src/providers/transport.js";
import { type ChatRequest, ProviderError, type StreamEvent } from "../../src/providers/types.js";
import { collect } from "../fakes/sse.js";

/** The skeleton with a wire that never touches the network: `send` answers from the client it got. */
class Stub extends Error {}
const sdk = {
  APIConnectionTimeoutError: Stub,
  APIConnectionError: Stub,
  APIError: Stub,
} as unknown as SdkErrorClasses;

interface Client {
  n: number;
  creds: RequestCredentials;
}

function setup(reply: (client: Client) => StreamEvent[] | ProviderError) {
  const built: Client[] = [];
  const spec: WireSpec<SdkErrorClasses, Client, { model: string }> = {
    provider: "stub",
    authHint: "log in again",
    loadSdk: async () => sdk,
    createClient: (_sdk, creds) => {
      const c = { n: built.length, creds };
      built.push(c);
      return c;
    },
    errorBody: () => undefined,
    body: (req) => ({ model: req.model }),
    async *send(client, _body, ctx) {
      ctx.responded();
      const r = reply(client);
      if (r instanceof ProviderError) throw r;
      yield* r;
    },
  };
  const deps: AdapterDeps = {
    policy: resolveHttpPolicy({ retryBaseMs: 1, maxRetries: 1 }),
    transport: async () => createTransport(1000),
  };
  return { spec, deps, built };
}

const req: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };
const ok: StreamEvent[] = [
  { type: "text-delta", text: "ok" },
  { type: "finish", reason: "stop" },
];
const unauthorized = () =>
  new ProviderError("stub returned 401", { code: "auth", provider: "stub", status: 401 });

describe("createWireProvider (the shared adapter skeleton)", () => {
  it("builds one client per credential: reused while the credential is the same, rebuilt when it changes", async () => {
    const { spec, deps, built } = setup(() => ok);
    let bearer = "a";
    const p = createWireProvider(spec, deps, async () => ({ bearer, headers: { h: "1" } }));
    await collect(p.stream(req));
    await collect(p.stream(req));
    bearer = "b";
    await collect(p.stream(req));
    expect(built.map((c) => c.creds.bearer)).toEqual(["a", "b"]);
  });

  it("after a 401 it asks with forceRefresh and retries once with the new credential's client", async () => {
    const { spec, deps, built } = setup((c) => (c.creds.bearer === "old" ? unauthorized() : ok));
    const asked: CredentialsRequest[] = [];
    const p = createWireProvider(spec, deps, async (r = {}) => {
      asked.push(r);
      return { bearer: r.forceRefresh ? "new" : "old" };
    });
    const evs = await collect(p.stream(req));
    expect(evs).toEqual(ok);
    expect(asked.map((a) => Boolean(a.forceRefresh))).toEqual([false, true]);
    expect(built.map((c) => c.creds.bearer)).toEqual(["old", "new"]);
  });

  it("a credential with the same values in another header order counts as unchanged: no second try", async () => {
    let sends = 0;
    const { spec, deps } = setup(() => {
      sends++;
      return unauthorized();
    });
    let flip = false;
    const p = createWireProvider(spec, deps, async () => {
      flip = !flip;
      return { bearer: "t", headers: flip ? { a: "1", b: "2" } : { b: "2", a: "1" } };
    });
    const evs = await collect(p.stream(req));
    expect(evs).toHaveLength(1);
    expect(evs[0]?.type === "error" && evs[0].error.status).toBe(401);
    expect(sends).toBe(1);
  });

  it("a getter aborted by the caller's signal is an aborted error, not an auth one", async () => {
    const { spec, deps } = setup(() => ok);
    const ac = new AbortController();
    const p = createWireProvider(spec, deps, async (r = {}) => {
      ac.abort();
      r.signal?.throwIfAborted();
      return { bearer: "never" };
    });
    const evs = await collect(p.stream(req, ac.signal));
    expect(evs).toHaveLength(1);
    expect(evs[0]?.type === "error" && evs[0].error.code).toBe("aborted");
  });
  it("a getter's own fix line becomes the error's hint (a missing login names its login command)", async () => {
    const { spec, deps } = setup(() => ok);
    const failing = (message: string) =>
      createWireProvider(spec, deps, async () => {
        throw new Error(message);
      });
    const first = async (message: string) => {
      const evs = await collect(failing(message).stream(req));
      expect(evs).toHaveLength(1);
      const ev = evs[0];
      if (ev?.type !== "error") throw new Error("expected an error event");
      return ev.error;
    };
    const codex = await first(
      "No Codex login at /h/.codex/auth.json: run `codex login` (Codex may keep credentials in the OS keyring; set x)",
    );
    expect(codex.message).toBe("No Codex login at /h/.codex/auth.json");
    expect(codex.hint).toBe("run `codex login` (Codex may keep credentials in the OS keyring; set x)");
    expect(codex.code).toBe("auth");
    const claude = await first(
      "cannot refresh the Claude token: no OAuth client id; set X or run kavilo auth claude login again",
    );
    expect(claude.message).toBe("cannot refresh the Claude token: no OAuth client id");
    expect(claude.hint).toBe("set X or run kavilo auth claude login again");
    // Nothing to do but wait: no fix line, so the front-end's generic hint applies.
    const later = await first("the Codex token endpoint answered HTTP 503; kavilo will try again");
    expect(later.message).toBe("the Codex token endpoint answered HTTP 503; kavilo will try again");
    expect(later.hint).toBeUndefined();
  });

  /** An adapter whose SDK loads are counted; the `failFirst` first ones fail. */
  function counted(eager: boolean, failFirst = 0) {
    const { spec, deps } = setup(() => ok);
    const loads = { n: 0 };
    const loadSdk = async () => {
      loads.n++;
      if (loads.n <= failFirst) throw new Error("Cannot find package 'openai'");
      return sdk;
    };
    const p = createWireProvider({ ...spec, loadSdk }, { ...deps, eager }, async () => ({ apiKey: "k" }));
    return { p, loads };
  }

  it("eager (a one-shot) starts loading the SDK when the adapter is made, and the request uses that load", async () => {
    for (const eager of [false, true]) {
      const { p, loads } = counted(eager);
      expect(loads.n).toBe(eager ? 1 : 0);
      expect(await collect(p.stream(req))).toEqual(ok);
      expect(loads.n).toBe(1);
    }
  });

  it("an eager load that failed is reported by the first request, and the next one loads again", async () => {
    const { p, loads } = counted(true, 1);
    const failed = (await collect(p.stream(req))).at(-1);
    expect(failed?.type === "error" && failed.error.message).toContain("Cannot find package 'openai'");
    expect(await collect(p.stream(req))).toEqual(ok);
    expect(loads.n).toBe(2);
  });
});
