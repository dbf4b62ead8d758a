import type { Dispatcher } from "undici";
import { sleep } from "../core/base/backoff.js";
import { incompleteFailure } from "./errors.js";
import { backoffMs, type HttpPolicy, MAX_SERVER_WAIT_MS } from "./http-policy.js";
import type { Transport } from "./transport.js";
import { ProviderError, type ProviderErrorCode, type StreamEvent } from "./types.js";

export interface AttemptContext {
  /** Aborts on the caller's signal and on our timeouts. */
  signal: AbortSignal;
  /** Empty for a normal attempt (Node's pooled fetch); a one-connection dispatcher for a fresh one. */
  fetchOptions: { dispatcher?: Dispatcher };
  fresh: boolean;
  /** Response headers arrived: the request timeout ends, the whole-stream timeout keeps running. */
  responded(): void;
}

export interface AttemptFailure {
  error: ProviderError;
  /** What the server asked for (retry-after), if anything. */
  retryAfterMs?: number;
  /** The server said a retry cannot help now (a subscription's usage limit): report it at once. */
  final?: boolean;
}

export interface PolicyStreamOptions {
  provider: string;
  model: string;
  policy: HttpPolicy;
  transport: () => Promise<Transport>;
  /** Loads the SDK client before any timer starts, so a cold import never counts as a slow server. */
  prepare?: () => Promise<unknown>;
  /** One HTTP exchange. Throws on failure; events it yields go straight to the consumer. */
  attempt: (ctx: AttemptContext) => AsyncIterable<StreamEvent>;
  /** Turns what `attempt` threw into a neutral error. */
  classify: (err: unknown) => AttemptFailure;
  signal?: AbortSignal;
  log?: (line: string) => void;
  random?: () => number;
}

const RETRYABLE: ReadonlySet<ProviderErrorCode> = new Set(["rate_limit", "server", "timeout", "network"]);
/** Failures after which the pooled connection is suspect. */
const NEEDS_FRESH: ReadonlySet<ProviderErrorCode> = new Set(["timeout", "network"]);

const TIMED_OUT = Symbol("timed out");

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** The error of a server that asked for a longer wait than kavilo gives it, saying how long. */
function withWaitHint(error: ProviderError, waitMs: number, maxMs: number): ProviderError {
  const secs = (ms: number) => Math.ceil(ms / 1000);
  const what = error.code === "rate_limit" ? "rate limited" : "unavailable";
  return new ProviderError(error.message, {
    code: error.code,
    provider: error.provider,
    ...(error.status !== undefined ? { status: error.status } : {}),
    hint: `${what}: the server asks to retry after ${secs(waitMs)} s (kavilo waits at most ${secs(maxMs)} s)`,
    cause: error.cause,
  });
}

function abortedError(provider: string): ProviderError {
  return new ProviderError("request aborted", { code: "aborted", provider });
}

/**
 * Runs `attempt` under the HTTP policy: timeouts, retries with backoff on 429/5xx/timeouts/connect
 * errors, a fresh unpooled connection after a timeout or connect error. Never throws; ends in
 * whatever the attempt ended with, or one `error` event. Retries only while nothing has reached
 * the consumer, so a stream that breaks mid-way is reported, never replayed.
 */
export async function* policyStream(o: PolicyStreamOptions): AsyncGenerator<StreamEvent> {
  const { policy, signal } = o;
  const log = (line: string) => o.log?.(`provider=${o.provider} model=${o.model} ${line}`);
  let transport: Transport;
  try {
    transport = await o.transport();
    await o.prepare?.();
  } catch (err) {
    yield { type: "error", error: o.classify(err).error, retryable: false };
    return;
  }
  let fresh = false;
  for (let attemptNo = 0; ; attemptNo++) {
    if (signal?.aborted) {
      yield { type: "error", error: abortedError(o.provider), retryable: false };
      return;
    }
    const ctrl = new AbortController();
    const onUserAbort = () => ctrl.abort(signal?.reason);
    signal?.addEventListener("abort", onUserAbort, { once: true });
    let timeoutKind: "request" | "stream" | undefined;
    const timeout = (kind: "request" | "stream") => () => {
      timeoutKind = kind;
      ctrl.abort(TIMED_OUT);
    };
    // Created before the timers, so loading undici for a fresh connection never counts as a slow server.
    const dispatcher = fresh ? await transport.fresh() : transport.pooled();
    const requestTimer = setTimeout(timeout("request"), policy.requestTimeoutMs);
    const streamTimer = setTimeout(timeout("stream"), policy.streamTimeoutMs);
    const usedFresh = fresh;
    const ctx: AttemptContext = {
      signal: ctrl.signal,
      fetchOptions: dispatcher ? { dispatcher } : {},
      fresh: usedFresh,
      responded: () => clearTimeout(requestTimer),
    };
    const it = o.attempt(ctx)[Symbol.asyncIterator]();
    let emitted = false;
    let failure: AttemptFailure | undefined;
    let ok = false;
    let finished = false;
    try {
      for (;;) {
        const r = await raceAbort(it.next(), ctrl.signal);
        if (r.done) break;
        if (r.value.type === "finish" || r.value.type === "error") finished = true;
        emitted = true;
        yield r.value;
      }
      // A stream that just stops (no finish reason, no message_stop) is cut off, not an answer.
      if (finished) ok = true;
      else failure = incompleteFailure(o.provider);
    } catch (err) {
      if (signal?.aborted) failure = { error: abortedError(o.provider) };
      else if (timeoutKind) {
        const secs = (timeoutKind === "request" ? policy.requestTimeoutMs : policy.streamTimeoutMs) / 1000;
        const what = timeoutKind === "request" ? "no response within" : "response not complete within";
        failure = {
          error: new ProviderError(`${what} ${secs}s`, { code: "timeout", provider: o.provider, cause: err }),
        };
      } else failure = o.classify(err);
    } finally {
      clearTimeout(requestTimer);
      clearTimeout(streamTimer);
      signal?.removeEventListener("abort", onUserAbort);
      if (!ok) {
        ctrl.abort(TIMED_OUT);
        void Promise.resolve(it.return?.()).catch(() => {});
      }
      if (usedFresh && dispatcher) {
        const f = dispatcher;
        void (ok ? f.close() : f.destroy()).catch(() => {});
      }
    }
    if (ok || !failure) return;

    const retryable = RETRYABLE.has(failure.error.code) && !failure.final;
    const serverWait = failure.retryAfterMs;
    const maxWait = Math.max(MAX_SERVER_WAIT_MS, policy.retryMaxMs);
    const tooLong = serverWait !== undefined && serverWait > maxWait;
    const error = tooLong && retryable ? withWaitHint(failure.error, serverWait, maxWait) : failure.error;
    const status = error.status !== undefined ? ` status=${error.status}` : "";
    if (error.code === "aborted" || !retryable || emitted || tooLong || attemptNo >= policy.maxRetries) {
      if (error.code !== "aborted") {
        const why = emitted ? " after_partial_output=true" : "";
        log(`failed code=${error.code}${status} attempts=${attemptNo + 1}${why}`);
      }
      yield { type: "error", error, retryable };
      return;
    }
    fresh = NEEDS_FRESH.has(error.code);
    const delayMs = serverWait ?? backoffMs(attemptNo, policy, o.random);
    const reason = `${error.code}${error.status !== undefined ? ` ${error.status}` : ""}: ${error.message}`;
    log(
      `retry attempt=${attemptNo + 1}/${policy.maxRetries} code=${error.code}${status} delay_ms=${delayMs} fresh_retry=${fresh}`,
    );
    yield {
      type: "retry",
      attempt: attemptNo + 1,
      delayMs,
      reason,
      fresh,
      maxRetries: policy.maxRetries,
      ...(error.status !== undefined ? { status: error.status } : {}),
    };
    if (!(await sleep(delayMs, signal))) {
      yield { type: "error", error: abortedError(o.provider), retryable: false };
      return;
    }
  }
}

/** The logger shape both vendor SDKs take (ClientOptions.logger). */
export interface SdkLogger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/**
 * Routes an SDK's own log lines ("Could not parse message into JSON") to kavilo's log instead of
 * raw stderr. Only the SDK's message is kept, not the chunk it quotes; the failure itself still
 * arrives as an error event.
 */
export function sdkLogger(log: ((line: string) => void) | undefined): SdkLogger {
  const line = (level: string) => (message: string) => log?.(`sdk ${level}: ${String(message)}`);
  return { error: line("error"), warn: line("warn"), info: () => {}, debug: () => {} };
}

/** What every adapter gets from createProvider. */
export interface AdapterDeps {
  policy: HttpPolicy;
  transport: () => Promise<Transport>;
  log?: ((line: string) => void) | undefined;
  /** A request follows at once (a one-shot): the SDK starts loading when the adapter is made. */
  eager?: boolean | undefined;
}
