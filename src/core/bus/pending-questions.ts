import type { InboundMessage } from "./types.js";

/** Who a question waits for: one user, in one chat (and thread). */
export interface QuestionKey {
  channel: string;
  chatId: string;
  threadId?: string | undefined;
  senderId: string;
}

const keyOf = (k: QuestionKey) => [k.channel, k.chatId, k.threadId ?? "", k.senderId].join("\u0000");

/**
 * Questions a running turn asked a chat user (an MCP server's form). While one waits, that user's
 * next message in that chat is its answer instead of a new turn; everyone else's messages queue as
 * usual. A question ends unanswered when the turn is stopped or the time runs out.
 */
export class PendingQuestions {
  private readonly waiting = new Map<string, (reply: string) => void>();

  ask(key: QuestionKey, signal: AbortSignal, timeoutMs: number): Promise<string | undefined> {
    const id = keyOf(key);
    return new Promise((resolve) => {
      const finish = (reply: string | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (this.waiting.get(id) === answer) this.waiting.delete(id);
        resolve(reply);
      };
      const answer = (reply: string) => finish(reply);
      const onAbort = () => finish(undefined);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      timer.unref?.();
      if (signal.aborted) return finish(undefined);
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.set(id, answer);
    });
  }

  /** Hands `msg` to the question its sender owes an answer to; false when there is none. */
  take(msg: InboundMessage): boolean {
    const answer = this.waiting.get(keyOf(msg));
    if (!answer) return false;
    answer(msg.text);
    return true;
  }
}
