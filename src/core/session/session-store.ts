import { mkdir, open, readdir, readFile, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Message } from "../../providers/types.js";
import { AppendError, appendWhole } from "../base/append-whole.js";
import { parseRecord, type SessionRecord } from "./session-record.js";

export interface LoadedSession {
  key: string;
  messages: Message[];
  /** Problems met while reading (a torn last line, a corrupt line); the rest was kept. */
  warnings: string[];
}

export interface SessionInfo {
  key: string;
  file: string;
  messages: number;
  updatedAt: string;
  /** The first line of the first user message, for listings. */
  firstUserLine?: string;
}

/** File name of a session key: readable, safe on every file system, and unique per key. */
export function sessionFileName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80);
  if (safe === key) return `${safe}.jsonl`;
  // node:crypto only here (a key with characters a file name cannot keep), and without an ES module
  // namespace of it: building one runs every export's getter (webcrypto's among them).
  const { createHash } = process.getBuiltinModule("node:crypto");
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return `${safe}-${hash}.jsonl`;
}

/** A session file that cannot be read or written; the message names the file and what to do. */
export class SessionFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SessionFileError";
  }
}

function parseLines(text: string, file: string): { records: SessionRecord[]; warnings: string[] } {
  const records: SessionRecord[] = [];
  const warnings: string[] = [];
  const lines = text.split("\n");
  const lastIndex = text.endsWith("\n") ? lines.length - 2 : lines.length - 1;
  let unreported: number | undefined;
  const report = () => {
    if (unreported === undefined) return;
    warnings.push(
      unreported === lastIndex
        ? `skipped a torn last line in ${file} (an interrupted write); the rest of the session is kept`
        : `skipped corrupt line ${unreported + 1} in ${file}`,
    );
    unreported = undefined;
  };
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    // Not JSON, or JSON that is not a record (`message: null`, an unknown role): skipped alike.
    const record = parseRecord(line);
    if (!record) {
      report();
      unreported = i;
      return;
    }
    // A torn line was reported when it was found; the marker after it says so.
    if (record.type === "torn-line-skipped") unreported = undefined;
    else report();
    records.push(record);
  });
  report();
  return { records, warnings };
}

/**
 * Sessions as append-only JSONL under `<workspace>/sessions`. Lines are only ever appended;
 * a reset archives the file instead of deleting it.
 */
export class SessionStore {
  /**
   * What this process last read or wrote of each session, keyed by file size: a long chat is not
   * re-parsed on every message, and a file changed by another process (a different size) is re-read.
   */
  private readonly cache = new Map<string, { size: number; messages: Message[] }>();
  /** Sessions kept in memory at most; the least recently used one is dropped (and re-read if needed). */
  private readonly cacheLimit = 64;

  constructor(readonly dir: string) {}

  private remember(key: string, entry: { size: number; messages: Message[] }): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > this.cacheLimit) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  fileOf(key: string): string {
    return join(this.dir, sessionFileName(key));
  }

  async load(key: string): Promise<LoadedSession> {
    const file = this.fileOf(key);
    const size = await sizeOf(file);
    if (size === undefined) return { key, messages: [], warnings: [] };
    const cached = this.cache.get(key);
    if (cached?.size === size) {
      this.remember(key, cached);
      return { key, messages: [...cached.messages], warnings: [] };
    }
    const buf = await readFile(file).catch((err: Error) => {
      throw new SessionFileError(`cannot read the session file ${file}: ${err.message}`, file, {
        cause: err,
      });
    });
    const { records, warnings } = parseLines(buf.toString("utf8"), file);
    const messages = records.flatMap((r) => (r.type === "message" ? [r.message] : []));
    // A file with a torn tail is not cached, so the next append checks for it and starts a new line.
    if (buf.at(-1) === 0x0a) this.remember(key, { size: buf.length, messages: [...messages] });
    else this.cache.delete(key);
    return { key, messages, warnings };
  }

  async append(key: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(key);
    const at = new Date().toISOString();
    const size = await sizeOf(file);
    const cached = this.cache.get(key);
    let prefix = "";
    if (size === undefined) {
      prefix = `${JSON.stringify({ type: "meta", key, createdAt: at } satisfies SessionRecord)}\n`;
    } else if (cached?.size !== size && !(await endsWithNewline(file))) {
      // A torn line from a crash must not swallow the next record; the marker keeps later loads
      // from warning about it again.
      prefix = `\n${JSON.stringify({ type: "torn-line-skipped", at } satisfies SessionRecord)}\n`;
    }
    const body = messages.map((message) =>
      JSON.stringify({ type: "message", at, message } satisfies SessionRecord),
    );
    const text = `${prefix}${body.join("\n")}\n`;
    await appendRecords(file, text, size);
    // Keep the cache only when this process knows the whole file: it wrote or read all of it.
    const known = size === undefined ? [] : cached?.size === size ? cached.messages : undefined;
    if (known) {
      this.remember(key, { size: (size ?? 0) + Buffer.byteLength(text), messages: [...known, ...messages] });
    } else {
      this.cache.delete(key);
    }
  }

  /** Moves the session aside (archive/) so the key starts fresh. */
  async reset(key: string): Promise<string | undefined> {
    const file = this.fileOf(key);
    this.cache.delete(key);
    if ((await sizeOf(file)) === undefined) return undefined;
    const archive = join(this.dir, "archive");
    await mkdir(archive, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const target = join(archive, sessionFileName(key).replace(/\.jsonl$/, `.${stamp}.jsonl`));
    await rename(file, target);
    return target;
  }

  async list(): Promise<SessionInfo[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith(".jsonl"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const infos: SessionInfo[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      const info = await stat(file);
      // A folder (or anything but a file) named like a session is not one; loading it says so.
      if (!info.isFile()) continue;
      const text = await readFile(file, "utf8");
      const { records } = parseLines(text, file);
      const meta = records.find((r) => r.type === "meta");
      const firstUser = records.find((r) => r.type === "message" && r.message.role === "user");
      const firstUserLine = firstUser?.type === "message" ? firstLineOf(firstUser.message) : undefined;
      infos.push({
        key: meta?.type === "meta" ? meta.key : name.replace(/\.jsonl$/, ""),
        file,
        messages: records.filter((r) => r.type === "message").length,
        updatedAt: info.mtime.toISOString(),
        ...(firstUserLine ? { firstUserLine } : {}),
      });
    }
    return infos.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }
}

function firstLineOf(message: Message): string | undefined {
  const text =
    typeof message.content === "string"
      ? message.content
      : message.content.map((p) => (p.type === "text" ? p.text : "")).join(" ");
  return text
    .split("\n")
    .find((l) => l.trim() !== "")
    ?.trim();
}

/** The session file's size, undefined when there is none; a folder or device in its place is an error. */
async function sizeOf(file: string): Promise<number | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SessionFileError(`cannot read the session file ${file}: ${(err as Error).message}`, file, {
      cause: err,
    });
  }
  if (!info.isFile()) {
    const what = info.isDirectory() ? "a folder" : "not a regular file";
    throw new SessionFileError(
      `the session file ${file} is ${what}; move it away so the session can start fresh`,
      file,
    );
  }
  return info.size;
}

/** Appends whole or not at all; a failure (a full disk) is one line naming the file. */
async function appendRecords(file: string, text: string, size: number | undefined): Promise<void> {
  try {
    await appendWhole(file, text, size);
  } catch (err) {
    const why = err instanceof AppendError && err.diskFull ? "disk full" : (err as Error).message;
    throw new SessionFileError(`${why}: the answer was shown but not saved to ${file}`, file, { cause: err });
  }
}

async function endsWithNewline(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const buf = Buffer.alloc(1);
    await handle.read(buf, 0, 1, size - 1);
    return buf[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * The recent part of a history to send: at most `max` messages, starting at a user message so
 * no tool result is left without its call, with every tool call answered (see pairToolResults).
 */
export function recentHistory(messages: Message[], max: number): Message[] {
  let start = Math.max(0, messages.length - max);
  while (start > 0 && start < messages.length && messages[start]!.role !== "user") start++;
  return pairToolResults(start === 0 ? messages : messages.slice(start));
}

const INTERRUPTED =
  "No result was recorded for this call: the run was interrupted (a crash or a stop) before it finished.";

/**
 * Makes a history acceptable to the model APIs, which reject a tool call without its result and a
 * result without its call. A crash between the two (a torn last line) leaves such a gap; the
 * missing result becomes an error result saying the run was interrupted, and stray results are
 * dropped. A history without gaps is returned as is.
 */
export function pairToolResults(messages: Message[]): Message[] {
  const out: Message[] = [];
  let changed = false;
  let i = 0;
  while (i < messages.length) {
    const m = messages[i]!;
    i++;
    if (m.role === "tool") {
      changed = true; // a result with no call right before it
      continue;
    }
    out.push(m);
    if (m.role !== "assistant" || !m.toolCalls?.length) continue;
    const answered = new Set<string>();
    const ids = new Set(m.toolCalls.map((c) => c.id));
    for (; i < messages.length && messages[i]!.role === "tool"; i++) {
      const r = messages[i] as Extract<Message, { role: "tool" }>;
      if (!ids.has(r.toolCallId) || answered.has(r.toolCallId)) {
        changed = true;
        continue;
      }
      answered.add(r.toolCallId);
      out.push(r);
    }
    for (const call of m.toolCalls) {
      if (answered.has(call.id)) continue;
      changed = true;
      out.push({
        role: "tool",
        toolCallId: call.id,
        toolName: call.name,
        content: INTERRUPTED,
        isError: true,
      });
    }
  }
  return changed ? out : messages;
}
