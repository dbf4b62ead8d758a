import type { Message } from "../../providers/types.js";
import { pairToolResults } from "../session/session-store.js";
import { sizeOf } from "./token-estimate.js";

/**
 * Where each turn of `messages[from..]` starts: at a user message, so a turn carries its tool calls
 * and their results together. Anything before the first user message belongs to the oldest turn.
 */
export function turnStarts(messages: readonly Message[], from: number): number[] {
  const starts: number[] = [];
  for (let i = from; i < messages.length; i++) {
    if (messages[i]!.role === "user" || i === from) starts.push(i);
  }
  return starts;
}

export interface HistoryFit {
  /** First message of the newest turns that fit `room` (messages.length when none do). */
  start: number;
  /** First message of the newest turns that fit `keep` (≥ start): where a consolidation stops. */
  keepFrom: number;
  /** Estimated (uncalibrated) tokens of messages[start..]. */
  tokens: number;
}

/**
 * Picks the newest whole turns of `messages[from..]` that fit `room` tokens, and the smaller set that
 * fits `keep` tokens, which is what stays after a consolidation (so that it does not run again at
 * the very next turn). `scale` turns estimates into the provider's count (calibration).
 */
export function fitHistory(
  messages: readonly Message[],
  from: number,
  room: number,
  keep: number,
  scale = 1,
): HistoryFit {
  const starts = turnStarts(messages, from);
  let start = messages.length;
  let keepFrom = messages.length;
  let tokens = 0;
  let end = messages.length;
  for (let t = starts.length - 1; t >= 0; t--) {
    const s = starts[t]!;
    let turn = 0;
    for (let i = s; i < end; i++) turn += sizeOf(messages[i]!);
    if ((tokens + turn) * scale > room) break;
    tokens += turn;
    start = s;
    if (tokens * scale <= keep) keepFrom = s;
    end = s;
  }
  return { start, keepFrom, tokens };
}

/** The history to send: whole turns from `start`, every tool call with its result. */
export function historyFrom(messages: readonly Message[], start: number): Message[] {
  return pairToolResults(messages.slice(start));
}
