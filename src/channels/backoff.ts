/** Exponential backoff for reconnect loops; tests inject milliseconds instead of seconds. */
export interface RetryOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { baseMs: 5_000, maxMs: 60_000 };

/** Delay before attempt number `attempt` (0-based): base, 2×base, 4×base ... capped at max. */
export function backoffDelay(attempt: number, retry: RetryOptions): number {
  return Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(attempt, 30));
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
