import { type SessionInfo, SessionStore } from "../../core/session/session-store.js";
import type { Message } from "../../providers/types.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

const out = (line: string) => process.stdout.write(`${line}\n`);

function store(ctx: CliContext): SessionStore {
  return new SessionStore(ctx.config().paths.sessions);
}

/** "2026-12-07 04:58" in local time: what a person scans a list for. */
function when(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export async function list(ctx: CliContext, opts: { json?: boolean } = {}): Promise<number> {
  const sessions = await store(ctx).list();
  if (opts.json) {
    out(
      JSON.stringify(
        {
          sessions: sessions.map((s) => ({
            key: s.key,
            lastActivity: s.updatedAt,
            messages: s.messages,
            firstUserLine: s.firstUserLine ?? null,
            file: s.file,
          })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (sessions.length === 0) {
    out('no sessions yet (start one with: kavilo agent -m "hello")');
    return 0;
  }
  const keyWidth = Math.min(40, Math.max(3, ...sessions.map((s) => s.key.length)));
  out(`${"KEY".padEnd(keyWidth)}  LAST ACTIVITY     MESSAGES  FIRST LINE`);
  for (const s of sessions) {
    out(
      `${clip(s.key, keyWidth).padEnd(keyWidth)}  ${when(s.updatedAt)}  ${String(s.messages).padStart(8)}  ${clip(s.firstUserLine ?? "-", 60)}`,
    );
  }
  return 0;
}

function partsText(content: Message["content"]): string {
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" ? p.text : `[image ${p.mediaType}]`)).join("\n");
}

/** One message as a person reads a transcript; tool results are cut to their first lines. */
function render(m: Message): string {
  switch (m.role) {
    case "user":
      return `── you\n${partsText(m.content)}`;
    case "assistant": {
      const calls = (m.toolCalls ?? []).map((c) => `→ ${c.name} ${clip(JSON.stringify(c.args), 100)}`);
      return [`── assistant`, m.content, ...calls].filter((l) => l !== "").join("\n");
    }
    case "tool": {
      const lines = partsText(m.content).split("\n");
      const more = lines.length > 5 ? `\n… (${lines.length - 5} more lines)` : "";
      return `── ${m.toolName}${m.isError ? " (error)" : ""}\n${lines.slice(0, 5).join("\n")}${more}`;
    }
  }
}

export async function show(ctx: CliContext, key: unknown): Promise<number> {
  const sessionKey = String(key);
  const sessions = store(ctx);
  const known = (await sessions.list()).some((s) => s.key === sessionKey);
  if (!known) throw new CliError(`no session "${sessionKey}": see kavilo sessions list`, 1);
  const loaded = await sessions.load(sessionKey);
  for (const w of loaded.warnings) ctx.warn(w);
  out(loaded.messages.map(render).join("\n\n"));
  return 0;
}

/** The most recent session of the terminal (keys cli:...), for agent --continue. */
export async function latestCliSession(ctx: CliContext): Promise<SessionInfo | undefined> {
  return (await store(ctx).list()).find((s) => s.key.startsWith("cli:"));
}

/** Checks that --resume names a session that exists. */
export async function existingSession(ctx: CliContext, key: string): Promise<SessionInfo> {
  const found = (await store(ctx).list()).find((s) => s.key === key);
  if (!found) throw new CliError(`no session "${key}" to resume: see kavilo sessions list`, 2);
  return found;
}
