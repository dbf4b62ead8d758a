import { randomBytes } from "node:crypto";
import type { QuestionKey } from "./pending-questions.js";
import type { ChoiceOutcome, ChoicePick } from "./types.js";

export interface Chosen {
  value: string;
  /** `telegram:12345 (Ann)`: who pressed. */
  by: string;
}

interface Open {
  key: QuestionKey;
  resolve(chosen: Chosen): void;
}

/**
 * Questions asked with buttons (approvals) that wait for a press. Only the user the question is
 * for (the sender of the message that started the turn), in that chat, can answer it; anyone
 * else's press is refused and told so. A question ends unanswered when its signal aborts.
 */
export class PendingChoices {
  private readonly open = new Map<string, Open>();

  /** A fresh id for a question (hex, short enough for Telegram's 64-byte callback data). */
  newId(): string {
    return randomBytes(6).toString("hex");
  }

  wait(id: string, key: QuestionKey, signal: AbortSignal): Promise<Chosen | undefined> {
    return new Promise((resolve) => {
      const finish = (chosen: Chosen | undefined) => {
        signal.removeEventListener("abort", onAbort);
        this.open.delete(id);
        resolve(chosen);
      };
      const onAbort = () => finish(undefined);
      if (signal.aborted) return finish(undefined);
      signal.addEventListener("abort", onAbort, { once: true });
      this.open.set(id, { key, resolve: finish });
    });
  }

  choose(pick: ChoicePick): ChoiceOutcome {
    const q = this.open.get(pick.questionId);
    if (!q || q.key.channel !== pick.channel || q.key.chatId !== pick.chatId) {
      return { accepted: false, note: "This question is no longer open." };
    }
    if (q.key.senderId !== pick.senderId) {
      return { accepted: false, note: "Only the person whose message started this can answer it." };
    }
    const who = `${pick.channel}:${pick.senderId}${pick.senderName ? ` (${pick.senderName})` : ""}`;
    q.resolve({ value: pick.value, by: who });
    return { accepted: true, note: "Got it." };
  }
}
