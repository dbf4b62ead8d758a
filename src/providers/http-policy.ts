/**
 * The one HTTP policy every provider adapter follows: timeouts, retry budget and backoff.
 * Pure values and arithmetic; the retry loop itself lives in policy-stream.ts.
 */
import { backoffDelay } from "../core/base/backoff.js";

export interface HttpPolicy {
  /** Until response headers arrive. */
  requestTimeoutMs: number;
  /** The whole streamed response, from request start to the last event. */
  streamTimeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  retryBaseMs: number;
  /** Cap of the computed backoff. */
  retryMaxMs: number;
}

export const DEFAULT_HTTP_POLICY: Readonly<HttpPolicy> = Object.freeze({
  requestTimeoutMs: 45_000,
  streamTimeoutMs: 180_000,
  maxRetries: 3,
  retryBaseMs: 500,
  retryMaxMs: 20_000,
});

/** A server asking for a longer wait than this is not retried here; the caller sees a rate-limit error. */
export const MAX_SERVER_WAIT_MS = 60_000;

function positiveNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Overrides from KAVILO_CHAT_TIMEOUT_S, KAVILO_STREAM_TIMEOUT_S and KAVILO_RETRY_BASE_MS. */
export function httpPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<HttpPolicy> {
  const out: Partial<HttpPolicy> = {};
  const chat = positiveNumber(env.KAVILO_CHAT_TIMEOUT_S);
  if (chat !== undefined) out.requestTimeoutMs = Math.round(chat * 1000);
  const stream = positiveNumber(env.KAVILO_STREAM_TIMEOUT_S);
  if (stream !== undefined) out.streamTimeoutMs = Math.round(stream * 1000);
  const base = positiveNumber(env.KAVILO_RETRY_BASE_MS);
  if (base !== undefined) {
    out.retryBaseMs = Math.round(base);
    // A shrunk base should not leave a 20 s cap behind it.
    out.retryMaxMs = Math.max(
      out.retryBaseMs,
      Math.min(DEFAULT_HTTP_POLICY.retryMaxMs, out.retryBaseMs * 40),
    );
  }
  return out;
}

export function resolveHttpPolicy(partial?: Partial<HttpPolicy>): HttpPolicy {
  const merged: HttpPolicy = { ...DEFAULT_HTTP_POLICY };
  for (const [k, v] of Object.entries(partial ?? {}) as [keyof HttpPolicy, number | undefined][]) {
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) merged[k] = v;
  }
  return merged;
}

/**
 * Milliseconds a server asked us to wait: `retry-after-ms`, else `retry-after` as seconds or an
 * HTTP date. Undefined when absent or unparsable.
 */
export function retryAfterMs(
  get: (name: string) => string | null | undefined,
  now: () => number = Date.now,
): number | undefined {
  const ms = get("retry-after-ms");
  if (ms) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = get("retry-after");
  if (!ra) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs >= 0 ? secs * 1000 : undefined;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}

/** The policy's exponential backoff with jitter (core/base/backoff.ts): the upper half of base·2^n, capped. */
export function backoffMs(
  retryIndex: number,
  policy: HttpPolicy,
  random: () => number = Math.random,
): number {
  return backoffDelay(retryIndex, { baseMs: policy.retryBaseMs, maxMs: policy.retryMaxMs }, random);
}
