import type { AgentEvent } from "../core/agent/events.js";

type RetryEvent = Extract<AgentEvent, { type: "retry" }>;

/** "openai: 503, retrying in 4 s (2/4)": what `agent -m` prints and the TUI's spinner shows. */
export function retryLine(provider: string, ev: RetryEvent): string {
  const why = ev.status !== undefined ? String(ev.status) : (ev.reason.split(":")[0] ?? ev.reason);
  const secs =
    ev.delayMs < 10_000 ? (ev.delayMs / 1000).toFixed(1).replace(/\.0$/, "") : Math.round(ev.delayMs / 1000);
  const of = ev.maxRetries !== undefined ? `${ev.attempt}/${ev.maxRetries}` : `attempt ${ev.attempt}`;
  return `${provider}: ${why}, retrying in ${secs} s (${of})`;
}
