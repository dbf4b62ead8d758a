import type { Message } from "../../providers/types.js";

/** One line of a session file. */
export type SessionRecord =
  | { type: "meta"; key: string; createdAt: string }
  | { type: "message"; at: string; message: Message }
  /** Written after a torn line once later records follow it, so the line is reported only once. */
  | { type: "torn-line-skipped"; at: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const ROLES: ReadonlySet<unknown> = new Set(["user", "assistant", "tool"]);

/** Text, or parts that each say their type. */
function isContent(content: unknown): boolean {
  return (
    typeof content === "string" ||
    (Array.isArray(content) && content.every((p) => isObject(p) && typeof p.type === "string"))
  );
}

/**
 * Enough of a record to trust it: a known type, and for a message a known role and text or parts.
 * Read on every load of every line, so checked by hand: no schema library on the one-shot path.
 */
function isRecord(value: unknown): value is SessionRecord {
  if (!isObject(value)) return false;
  if (value.type === "meta" || value.type === "torn-line-skipped") return true;
  if (value.type !== "message" || !isObject(value.message)) return false;
  return ROLES.has(value.message.role) && isContent(value.message.content);
}

/** One line as a record; undefined for a line that is not JSON or not a record (`message: null`, an unknown role). */
export function parseRecord(line: string): SessionRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
