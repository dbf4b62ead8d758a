import type { AgentEvent } from "../../core/agent/events.js";
import type { Usage } from "../../providers/types.js";
import { retryLine } from "../retry-line.js";
import type { Entry } from "./entries.js";
import { finishedBlocksLength } from "./markdown-blocks.js";

export const GENERIC_HINT = "run kavilo status";
const INTERRUPTED = "interrupted";

/** The in-progress turn: the only part of the transcript that re-renders. */
export interface LiveTurn {
  readonly id: number;
  readonly seq: number;
  readonly entries: readonly Entry[];
  readonly usage: Usage;
  readonly thinking: boolean;
  readonly ended: boolean;
  /** Whether any text streamed, even if all of it has moved to the static transcript already. */
  readonly streamed: boolean;
  readonly provider?: string;
  readonly model?: string;
  /** While a model call waits to be retried: the line the spinner shows. */
  readonly retrying?: string;
}

export function newTurn(id: number): LiveTurn {
  return {
    id,
    seq: 0,
    entries: [],
    usage: { input: 0, output: 0 },
    thinking: false,
    ended: false,
    streamed: false,
  };
}

function withEntry(turn: LiveTurn, make: (id: string) => Entry): LiveTurn {
  const entry = make(`t${turn.id}.${turn.seq}`);
  return { ...turn, seq: turn.seq + 1, entries: [...turn.entries, entry] };
}

function replaceAt(entries: readonly Entry[], index: number, entry: Entry): Entry[] {
  const next = entries.slice();
  next[index] = entry;
  return next;
}

function addUsage(a: Usage, b: Usage): Usage {
  return { input: a.input + b.input, output: a.output + b.output };
}

function endNote(turn: LiveTurn, text: string): LiveTurn {
  return withEntry(turn, (id) => ({ kind: "note", id, text, tone: "warn" }));
}

/** Marks tools that never reported back, so nothing is left spinning once the turn is over. */
function settleTools(turn: LiveTurn, now: number): LiveTurn {
  const entries = turn.entries.map((entry) =>
    entry.kind === "tool" && entry.state === "running"
      ? { ...entry, state: "interrupted" as const, durationMs: now - entry.startedAt }
      : entry,
  );
  return { ...turn, entries };
}

/** Folds one agent event into the live turn. Pure: the clock comes in as `now`. */
export function applyEvent(turn: LiveTurn, event: AgentEvent, now: number): LiveTurn {
  if (event.type !== "retry" && turn.retrying !== undefined) {
    const { retrying: _done, ...rest } = turn;
    return applyEvent(rest, event, now);
  }
  switch (event.type) {
    case "turn-start":
      return { ...turn, provider: event.provider, model: event.model };
    case "text-delta": {
      const last = turn.entries.at(-1);
      const base = { ...turn, thinking: false, streamed: true };
      if (last?.kind === "assistant") {
        const updated = { ...last, text: last.text + event.text };
        return { ...base, entries: replaceAt(turn.entries, turn.entries.length - 1, updated) };
      }
      return withEntry(base, (id) => ({ kind: "assistant", id, text: event.text }));
    }
    case "reasoning-delta":
      return turn.thinking ? turn : { ...turn, thinking: true };
    case "tool-call-start":
      return withEntry({ ...turn, thinking: false }, (id) => ({
        kind: "tool",
        id,
        callId: event.id,
        name: event.name,
        args: event.args,
        state: "running",
        startedAt: now,
      }));
    case "tool-call-end": {
      const index = turn.entries.findIndex((e) => e.kind === "tool" && e.callId === event.id);
      const found = turn.entries[index];
      if (found?.kind !== "tool") return turn;
      const updated: Entry = {
        ...found,
        state: event.ok ? "done" : "failed",
        durationMs: event.durationMs,
        output: event.output,
      };
      return { ...turn, entries: replaceAt(turn.entries, index, updated) };
    }
    case "usage":
      return {
        ...turn,
        usage: addUsage(turn.usage, event.usage),
        provider: event.provider,
        model: event.model,
      };
    case "retry": {
      const delay = (event.delayMs / 1000).toFixed(1);
      const text = `retrying in ${delay}s (attempt ${event.attempt}): ${event.reason}`;
      const noted = withEntry(turn, (id) => ({ kind: "note", id, text, tone: "dim" }));
      return { ...noted, retrying: retryLine(turn.provider ?? "model", event) };
    }
    case "error": {
      // Only a provider's failure (it has a code) points at kavilo status; a bad time zone, a full
      // disk or a broken session file says what to do in its own message.
      const hint =
        event.hint ?? (event.code !== undefined && event.code !== "aborted" ? GENERIC_HINT : undefined);
      return withEntry(turn, (id) => ({
        kind: "error",
        id,
        message: event.message,
        ...(hint ? { hint } : {}),
        ...(event.status === undefined ? {} : { status: event.status }),
      }));
    }
    case "turn-end":
      return endTurn(turn, event, now);
  }
}

function endTurn(turn: LiveTurn, event: Extract<AgentEvent, { type: "turn-end" }>, now: number): LiveTurn {
  let next: LiveTurn = { ...settleTools(turn, now), usage: event.usage, thinking: false, ended: true };
  if (!next.streamed && event.text.trim() !== "") {
    next = withEntry(next, (id) => ({ kind: "assistant", id, text: event.text }));
  }
  if (event.reason === "aborted") return endNote(next, INTERRUPTED);
  if (event.reason === "max-iterations")
    return endNote(next, "stopped: the tool-call iteration limit was reached");
  if (event.reason === "error" && !next.entries.some((e) => e.kind === "error")) {
    return withEntry(next, (id) => ({ kind: "error", id, message: "the turn failed", hint: GENERIC_HINT }));
  }
  return next;
}

/** Ends a turn the runner did not end itself (interrupted, or the stream broke off). */
export function forceEnd(turn: LiveTurn, now: number, interrupted: boolean, failure?: string): LiveTurn {
  if (turn.ended) {
    const marked = turn.entries.some((e) => e.kind === "note" && e.text === INTERRUPTED);
    return interrupted && !marked ? endNote(turn, INTERRUPTED) : turn;
  }
  let next: LiveTurn = { ...settleTools(turn, now), thinking: false, ended: true };
  if (failure !== undefined) {
    next = withEntry(next, (id) => ({ kind: "error", id, message: failure, hint: GENERIC_HINT }));
  }
  return interrupted ? endNote(next, INTERRUPTED) : next;
}

function isFinished(entry: Entry, isLast: boolean, turnEnded: boolean): boolean {
  if (turnEnded) return true;
  if (entry.kind === "tool") return entry.state !== "running";
  if (entry.kind === "assistant") return !isLast;
  return true;
}

/**
 * Splits off the longest prefix of entries that can no longer change, so the caller can move them to
 * the static transcript and keep the live region small. Streaming text gives up its finished markdown
 * blocks too: a long answer moves into the transcript block by block instead of growing live.
 */
export function takeFinished(turn: LiveTurn): { done: Entry[]; turn: LiveTurn } {
  const { entries } = turn;
  let count = 0;
  while (count < entries.length && isFinished(entries[count]!, count === entries.length - 1, turn.ended)) {
    count++;
  }
  const done = entries.slice(0, count);
  let rest = entries.slice(count);
  let seq = turn.seq;
  const streaming = rest.length === 1 ? rest[0] : undefined;
  if (streaming?.kind === "assistant") {
    const cut = finishedBlocksLength(streaming.text);
    if (cut > 0) {
      done.push({ kind: "assistant", id: `t${turn.id}.${seq}`, text: streaming.text.slice(0, cut) });
      seq += 1;
      rest = [{ ...streaming, text: streaming.text.slice(cut) }];
    }
  }
  if (done.length === 0) return { done: [], turn };
  return { done, turn: { ...turn, seq, entries: rest } };
}
