import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../atomic-file.js";
import type { InboundMessage } from "./types.js";

type InboxRecord = { add: string; msg: InboundMessage } | { done: string };

export interface PendingMessage {
  id: string;
  msg: InboundMessage;
}

/**
 * The bus's durable to-do list. A chat message is written here when it is accepted and marked done
 * once its turn has ended, so a message that was queued or interrupted when kavilo stopped (or
 * crashed) is answered after the next start instead of being lost. Channels acknowledge messages
 * to their platform at once (Slack requires it), so this file is the only copy until then.
 */
export class Inbox {
  constructor(readonly file: string) {}

  add(msg: InboundMessage): string {
    const id = randomBytes(6).toString("hex");
    this.write({ add: id, msg });
    return id;
  }

  done(id: string): void {
    this.write({ done: id });
  }

  /** Messages accepted and never finished, oldest first. A torn line from a crash is skipped. */
  pending(): PendingMessage[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const open = new Map<string, InboundMessage>();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let rec: InboxRecord;
      try {
        rec = JSON.parse(line) as InboxRecord;
      } catch {
        continue;
      }
      if ("add" in rec) open.set(rec.add, rec.msg);
      else open.delete(rec.done);
    }
    return [...open].map(([id, msg]) => ({ id, msg }));
  }

  /**
   * Rewrites the file with only what is still pending. Only at start, before any channel can
   * append: a concurrent append would be lost by the rewrite.
   */
  async compact(): Promise<PendingMessage[]> {
    const pending = this.pending();
    const body = pending
      .map((p) => JSON.stringify({ add: p.id, msg: p.msg } satisfies InboxRecord))
      .join("\n");
    await writeFileAtomic(this.file, body ? `${body}\n` : "", { mode: 0o600 });
    return pending;
  }

  private write(rec: InboxRecord): void {
    // Synchronous and one line at a time: the record is on disk before the turn starts.
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(rec)}\n`, { mode: 0o600 });
  }
}
