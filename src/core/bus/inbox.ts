import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../base/atomic-file.js";
import type { InboundMessage } from "./types.js";

type InboxRecord = { add: string; msg: InboundMessage; tries?: number } | { done: string };

export interface PendingMessage {
  id: string;
  msg: InboundMessage;
  /** How many starts have already replayed it. */
  tries: number;
}

/** Past this size the file is emptied once nothing is pending (it only ever holds open items then). */
const TRUNCATE_AT_BYTES = 1024 * 1024;

/**
 * The bus's durable to-do list. A chat message is written here when it is accepted and marked done
 * once its turn has ended, so a message that was queued or interrupted when kavilo stopped (or
 * crashed) is answered after the next start instead of being lost. Channels acknowledge messages
 * to their platform at once (Slack requires it), so this file is the only copy until then.
 * One `kavilo start` per profile (the pid lock) is the only writer.
 */
export class Inbox {
  /** Ids added or replayed by this process and not yet done. */
  private readonly open = new Set<string>();

  constructor(readonly file: string) {}

  add(msg: InboundMessage): string {
    const id = randomBytes(6).toString("hex");
    this.write({ add: id, msg });
    this.open.add(id);
    return id;
  }

  done(id: string): void {
    this.write({ done: id });
    this.open.delete(id);
    if (this.open.size === 0 && statSync(this.file).size > TRUNCATE_AT_BYTES) writeFileSync(this.file, "");
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
    const open = new Map<string, PendingMessage>();
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      let rec: InboxRecord;
      try {
        rec = JSON.parse(line) as InboxRecord;
      } catch {
        continue;
      }
      if ("add" in rec) open.set(rec.add, { id: rec.add, msg: rec.msg, tries: rec.tries ?? 0 });
      else open.delete(rec.done);
    }
    return [...open.values()];
  }

  /**
   * At start, before any channel can append: rewrites the file with only what is still pending,
   * each counted as replayed once more (a message that crashes kavilo must not loop forever).
   */
  async compact(): Promise<PendingMessage[]> {
    const pending = this.pending().map((p) => ({ ...p, tries: p.tries + 1 }));
    const body = pending
      .map((p) => JSON.stringify({ add: p.id, msg: p.msg, tries: p.tries } satisfies InboxRecord))
      .join("\n");
    await writeFileAtomic(this.file, body ? `${body}\n` : "", { mode: 0o600 });
    for (const p of pending) this.open.add(p.id);
    return pending;
  }

  private write(rec: InboxRecord): void {
    // Synchronous and one line at a time: the record is on disk before the turn starts.
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    appendFileSync(this.file, `${JSON.stringify(rec)}\n`, { mode: 0o600 });
  }
}
