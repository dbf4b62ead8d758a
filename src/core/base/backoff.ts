/**
 * Backoff and sleep, the one copy: the channels' reconnect loops, the providers' HTTP policy and
 * the refresher runner use these. Tests inject milliseconds and the random source.
 */
export interface RetryOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { baseMs: 5_000, maxMs: 60_000 };

/**
 * Delay before retry number `attempt` (0-based): base, 2×base, 4×base ... capped at max. With
 * `random` (jitter), a random point in the upper half of that, so clients that failed together
 * do not all come back at the same moment.
 */
export function backoffDelay(attempt: number, retry: RetryOptions, random?: () => number): number {
  const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return random ? Math.round(ceiling / 2 + (ceiling / 2) * random()) : ceiling;
}

/**
 * A periodic wait with jitter: `intervalMs` minus up to `share` of it (never more: a lead before an
 * expiry stays a lead), so loops started together drift apart. With `random` 0 it is the interval.
 */
export function intervalJitter(
  intervalMs: number,
  share: number,
  random: () => number = Math.random,
): number {
  return Math.round(intervalMs * (1 - share * random()));
}

/** Resolves after `ms` with true, or early with false (never throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
