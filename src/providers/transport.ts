import type { Agent } from "undici";
import { envProxyDispatcher } from "../core/base/env-proxy.js";

type FreshAgent = Agent & { close(): Promise<void>; destroy(): Promise<void> };

/**
 * A 200 to a streaming request whose body is not a server-sent event stream: a captive portal's
 * HTML page, a proxy's `{}`. Thrown by the transport, so every wire reports it the same way.
 */
export class NotAStreamError extends Error {
  constructor(readonly contentType: string) {
    super(`expected an event stream, got ${contentType}`);
    this.name = "NotAStreamError";
  }
}

function asksForStream(init: RequestInit | undefined): boolean {
  const body = init?.body;
  if (typeof body !== "string" || !body.includes('"stream"')) return false;
  try {
    return (JSON.parse(body) as { stream?: unknown }).stream === true;
  } catch {
    return false;
  }
}

/** Rejects a successful answer to a streaming request that is not an event stream. */
async function checkStream(res: Response, init: RequestInit | undefined): Promise<Response> {
  if (!res.ok || !asksForStream(init)) return res;
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "text/event-stream") return res;
  await res.body?.cancel().catch(() => {});
  throw new NotAStreamError(type || "no content type");
}

/** The fetch and connection pools the SDK clients send through. */
export interface Transport {
  /** Sends through Node's own fetch (its shared keep-alive pool), or through a fresh agent when one is given. */
  fetch: typeof globalThis.fetch;
  /** Dispatcher of a normal attempt: none, so Node's global keep-alive pool is used. */
  pooled(): undefined;
  /** A pool of one connection for one attempt after a timeout or connect error; the caller disposes it. */
  fresh(): Promise<FreshAgent>;
}

/**
 * Normal calls go through Node's built-in fetch and its pooled connections. The undici package is
 * loaded only for a retry that needs a fresh, unpooled connection, and that retry uses the
 * package's own fetch, so the agent and the fetch come from the same undici version.
 */
export function createTransport(streamTimeoutMs: number): Transport {
  let undici: Promise<typeof import("undici")> | undefined;
  const load = () => {
    undici ??= import("undici");
    return undici;
  };
  // Our own timers decide timeouts; undici's must not fire first.
  const agentOpts = { headersTimeout: streamTimeoutMs + 1000, bodyTimeout: streamTimeoutMs + 1000 };
  const fetchVia = async (
    input: Parameters<typeof fetch>[0],
    init?: RequestInit & { dispatcher?: unknown },
  ) => {
    if (init?.dispatcher) {
      const u = await load();
      const res = (await u.fetch(
        input as Parameters<typeof u.fetch>[0],
        init as Parameters<typeof u.fetch>[1],
      )) as unknown as Response;
      return checkStream(res, init);
    }
    return checkStream(await globalThis.fetch(input, init), init);
  };
  return {
    fetch: fetchVia as typeof globalThis.fetch,
    pooled: () => undefined,
    async fresh() {
      const u = await load();
      const fresh = { ...agentOpts, connections: 1, pipelining: 0 };
      // Behind HTTPS_PROXY the fresh connection goes through the proxy too.
      if (envProxyDispatcher()) return new u.EnvHttpProxyAgent(fresh) as unknown as FreshAgent;
      return new u.Agent(fresh) as FreshAgent;
    },
  };
}
