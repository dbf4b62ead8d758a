import { backoffDelay, type RetryOptions, sleep } from "../../core/base/backoff.js";
import type { Logger } from "../../core/base/logger.js";
import type { Channel, InboundSink } from "../../core/bus/types.js";

export interface SupervisedChannel {
  readonly name: string;
  readonly channel: Channel;
  /** True once start() succeeded. */
  readonly connected: boolean;
  /** Starts in the background, retrying a failed start with backoff; never throws. */
  start(sink: InboundSink): void;
  /** Stops retrying and stops the channel's intake. */
  stop(): Promise<void>;
}

/**
 * Keeps one channel up: a start that fails is retried after 5 s, 10 s, ... up to 60 s (shrunk in
 * tests), without touching the other channels.
 */
export function superviseChannel(channel: Channel, retry: RetryOptions, log: Logger): SupervisedChannel {
  let abort = new AbortController();
  let loop: Promise<void> | undefined;
  let connected = false;
  let sink: InboundSink | undefined;
  let failures = 0;

  async function run(signal: AbortSignal, firstDelayMs: number) {
    if (firstDelayMs > 0) await sleep(firstDelayMs, signal);
    while (!signal.aborted && sink) {
      try {
        await channel.start(sink);
        if (signal.aborted) return;
        connected = true;
        failures = 0;
        return;
      } catch (err) {
        if (signal.aborted) return;
        const delay = backoffDelay(failures++, retry);
        log.error(`${channel.name}: could not start: ${(err as Error).message}; retrying in ${delay} ms`);
        await channel.stop().catch(() => undefined);
        await sleep(delay, signal);
      }
    }
  }

  return {
    name: channel.name,
    channel,
    get connected() {
      return connected;
    },
    start(s) {
      if (loop) return;
      sink = s;
      abort = new AbortController();
      loop = run(abort.signal, 0);
    },
    async stop() {
      abort.abort();
      await loop;
      loop = undefined;
      connected = false;
      await channel.stop().catch((err: Error) => log.warn(`${channel.name}: stop failed: ${err.message}`));
    },
  };
}
