import type { ContentPart, Message } from "../../providers/types.js";
import { forStorage } from "./stored-message.js";

/** What the session keeps of a turn that was stopped (Ctrl-C, SIGTERM, a shutdown, /stop). */
export const ABORTED_MARK = "[aborted]";
/** Appended to the partial text of an answer whose stream broke: it is not a finished answer. */
export const INCOMPLETE_MARK = "[incomplete: the answer was cut off]";

function marked(partial: string, mark: string): string {
  return partial ? `${partial}\n${mark}` : mark;
}

/** The assistant message saved for a stopped turn: the partial text, if any, then "[aborted]". */
export function abortedReply(partial: string): Message {
  return { role: "assistant", content: marked(partial, ABORTED_MARK) };
}

/** The assistant message saved for an answer whose stream failed part-way. */
export function incompleteReply(partial: string): Message {
  return { role: "assistant", content: marked(partial, INCOMPLETE_MARK) };
}

function isAbortedReply(m: Message | undefined): boolean {
  return m?.role === "assistant" && typeof m.content === "string" && m.content.endsWith(ABORTED_MARK);
}

/**
 * When a turn is asked again after it was stopped (a message replayed after a restart, the same
 * line sent again), the session already holds the user's message, any tool steps, then "[aborted]".
 * Returns the history to continue from (without the "[aborted]" reply) so the user's message is
 * stored once; undefined when the input is a new message.
 */
export function resumeAborted(history: Message[], input: string | ContentPart[]): Message[] | undefined {
  if (!isAbortedReply(history.at(-1))) return undefined;
  let i = history.length - 2;
  while (i >= 0 && history[i]!.role !== "user") i--;
  if (i < 0) return undefined;
  const again = JSON.stringify(forStorage({ role: "user", content: input }));
  if (JSON.stringify(history[i]) !== again) return undefined;
  return history.slice(0, -1);
}
