/** The prompt's text and cursor. All edits are pure so the key handling can be tested without ink. */
export interface InputBuffer {
  readonly text: string;
  readonly cursor: number;
}

export const EMPTY_BUFFER: InputBuffer = { text: "", cursor: 0 };

export function bufferOf(text: string): InputBuffer {
  return { text, cursor: text.length };
}

/** Pasted text may carry CRLF or lone CR line ends; the buffer keeps only "\n". */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

export function insert(b: InputBuffer, s: string): InputBuffer {
  const clean = normalizeNewlines(s);
  return {
    text: b.text.slice(0, b.cursor) + clean + b.text.slice(b.cursor),
    cursor: b.cursor + clean.length,
  };
}

export function backspace(b: InputBuffer): InputBuffer {
  if (b.cursor === 0) return b;
  return { text: b.text.slice(0, b.cursor - 1) + b.text.slice(b.cursor), cursor: b.cursor - 1 };
}

export function deleteForward(b: InputBuffer): InputBuffer {
  if (b.cursor >= b.text.length) return b;
  return { text: b.text.slice(0, b.cursor) + b.text.slice(b.cursor + 1), cursor: b.cursor };
}

export function moveLeft(b: InputBuffer): InputBuffer {
  return { ...b, cursor: Math.max(0, b.cursor - 1) };
}

export function moveRight(b: InputBuffer): InputBuffer {
  return { ...b, cursor: Math.min(b.text.length, b.cursor + 1) };
}

function lineStartOf(text: string, cursor: number): number {
  return text.lastIndexOf("\n", cursor - 1) + 1;
}

function lineEndOf(text: string, cursor: number): number {
  const end = text.indexOf("\n", cursor);
  return end === -1 ? text.length : end;
}

export function moveLineStart(b: InputBuffer): InputBuffer {
  return { ...b, cursor: lineStartOf(b.text, b.cursor) };
}

export function moveLineEnd(b: InputBuffer): InputBuffer {
  return { ...b, cursor: lineEndOf(b.text, b.cursor) };
}

/** Ctrl-U: deletes from the start of the current line up to the cursor. */
export function killToLineStart(b: InputBuffer): InputBuffer {
  const start = lineStartOf(b.text, b.cursor);
  return { text: b.text.slice(0, start) + b.text.slice(b.cursor), cursor: start };
}

/** Moves the cursor one line up, or returns null on the first line (the caller walks history instead). */
export function moveUp(b: InputBuffer): InputBuffer | null {
  const start = lineStartOf(b.text, b.cursor);
  if (start === 0) return null;
  const column = b.cursor - start;
  const prevStart = lineStartOf(b.text, start - 1);
  return { ...b, cursor: Math.min(prevStart + column, start - 1) };
}

/** Moves the cursor one line down, or returns null on the last line. */
export function moveDown(b: InputBuffer): InputBuffer | null {
  const end = lineEndOf(b.text, b.cursor);
  if (end === b.text.length) return null;
  const column = b.cursor - lineStartOf(b.text, b.cursor);
  const nextEnd = lineEndOf(b.text, end + 1);
  return { ...b, cursor: Math.min(end + 1 + column, nextEnd) };
}

/**
 * Enter after a trailing backslash continues the input on a new line instead of sending it:
 * returns the continued buffer, or null when the input should be sent.
 */
export function continueLine(b: InputBuffer): InputBuffer | null {
  const atLineEnd = b.cursor === b.text.length || b.text[b.cursor] === "\n";
  if (!atLineEnd || b.cursor === 0 || b.text[b.cursor - 1] !== "\\") return null;
  return { text: `${b.text.slice(0, b.cursor - 1)}\n${b.text.slice(b.cursor)}`, cursor: b.cursor };
}
