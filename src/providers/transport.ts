import type { Agent, Dispatcher } from "undici";

/** The fetch and connection pools the SDK clients send through. */
export interface Transport {
  fetch: typeof globalThis.fetch;
  /** The long-lived pool: keep-alive connections shared by calls. */
  pooled(): Dispatcher;
  /** A pool of one connection for one attempt; the caller disposes it. */
  fresh(): Dispatcher & { close(): Promise<void>; destroy(): Promise<void> };
}

/**
 * Loads undici on first use (it is only needed once a model is called). Node's fetch and the
 * undici package may be different undici versions, so fetch and dispatchers come from one place.
 */
export async function createTransport(streamTimeoutMs: number): Promise<Transport> {
  const undici = await import("undici");
  // Our own timers decide timeouts; undici's must not fire first.
  const agentOpts = { headersTimeout: streamTimeoutMs + 1000, bodyTimeout: streamTimeoutMs + 1000 };
  let pool: Agent | undefined;
  return {
    fetch: undici.fetch as unknown as typeof globalThis.fetch,
    pooled() {
      pool ??= new undici.Agent(agentOpts);
      return pool;
    },
    fresh() {
      return new undici.Agent({ ...agentOpts, connections: 1, pipelining: 0 });
    },
  };
}
