/** One POST of a JSON body to a token endpoint, as the refreshers send it. */
export interface TokenPostOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface TokenPostAnswer {
  ok: boolean;
  status: number;
  headers: Headers;
  text: string;
}

/** The endpoint could not be reached (refused, DNS, timeout). The message names the host only. */
export class EndpointUnreachableError extends Error {
  constructor(host: string, why: string) {
    super(`cannot reach ${host} (${why})`);
    this.name = "EndpointUnreachableError";
  }
}

/**
 * POSTs `payload` as JSON and reads the whole answer. A network failure or the timeout (default
 * 20 s) is an EndpointUnreachableError; its message never holds the body, so no token leaks.
 */
export async function postTokenJson(
  url: string,
  payload: Record<string, string>,
  opts: TokenPostOptions = {},
): Promise<TokenPostAnswer> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 20_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(payload),
      signal,
    });
    return { ok: res.ok, status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    const why =
      (err as Error).name === "TimeoutError"
        ? "timed out"
        : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
    throw new EndpointUnreachableError(hostOf(url), why);
  }
}

/** The host a URL names, or the text itself when it is no URL (the error still says what was tried). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
