import { useStdout } from "ink";
import { useEffect, useState } from "react";

const FALLBACK_COLUMNS = 80;
/** A burst of resize events (a dragged window edge) redraws once, when it settles. */
export const RESIZE_SETTLE_MS = 80;
// Erase the screen, then the scrollback, then home the cursor.
export const CLEAR_ALL = "\u001b[2J\u001b[3J\u001b[H";

// ink types its stdout as a plain writable; a terminal's has `columns`/`rows`, a pipe's does not.
function sizeOf(stdout: NodeJS.WritableStream): { columns: number; rows: number | null } {
  const tty = stdout as Partial<NodeJS.WriteStream>;
  return { columns: tty.columns || FALLBACK_COLUMNS, rows: tty.rows || null };
}

export interface TerminalSize {
  columns: number;
  /** null when the output is not a terminal (no height to fit). */
  rows: number | null;
  /** Bumped after each settled resize; the transcript is re-keyed on it so it reprints. */
  resizes: number;
}

/**
 * The terminal's size. After a resize the frames already printed at the old width are stale
 * (terminals re-wrap them, ink's erase no longer lines up), so on a terminal the screen and
 * scrollback are cleared and the caller reprints the transcript at the new width.
 */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => ({ ...sizeOf(stdout), resizes: 0 }));
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const settle = () => {
      timer = undefined;
      if ((stdout as Partial<NodeJS.WriteStream>).isTTY) stdout.write(CLEAR_ALL);
      setSize((prev) => ({ ...sizeOf(stdout), resizes: prev.resizes + 1 }));
    };
    const onResize = () => {
      setSize((prev) => ({ ...prev, ...sizeOf(stdout) }));
      if (timer) clearTimeout(timer);
      timer = setTimeout(settle, RESIZE_SETTLE_MS);
    };
    stdout.on("resize", onResize);
    return () => {
      if (timer) clearTimeout(timer);
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return size;
}
