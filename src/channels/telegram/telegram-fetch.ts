import type { Bot } from "grammy";

/** The fetch grammy's client option takes (node-fetch's signature). */
export type GrammyFetch = NonNullable<
  NonNullable<NonNullable<ConstructorParameters<typeof Bot>[1]>["client"]>["fetch"]
>;

/** grammy's per-request signal: its abort-controller polyfill, which a WHATWG fetch refuses. */
interface PolyfillSignal {
  aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
}

/**
 * grammy's fetch over a WHATWG fetch (undici's, through HTTPS_PROXY): drops node-fetch's `agent` and
 * `compress`, and turns grammy's polyfill signal into a native one, so timeouts and stops still abort.
 */
export function grammyFetch(fetchFn: typeof fetch): GrammyFetch {
  const adapted = (url: string | URL, init?: Record<string, unknown>) => {
    const { agent: _agent, compress: _compress, signal, ...rest } = init ?? {};
    const controller = new AbortController();
    const polyfill = signal as PolyfillSignal | undefined;
    if (polyfill?.aborted) controller.abort();
    else polyfill?.addEventListener("abort", () => controller.abort());
    return fetchFn(url, { ...(rest as RequestInit), signal: controller.signal });
  };
  return adapted as unknown as GrammyFetch;
}
