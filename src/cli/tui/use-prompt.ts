import { useCallback, useRef, useState } from "react";
import {
  backspace,
  bufferOf,
  continueLine,
  deleteForward,
  EMPTY_BUFFER,
  type InputBuffer,
  insert,
  killToLineStart,
  moveDown,
  moveLeft,
  moveLineEnd,
  moveLineStart,
  moveRight,
  moveUp,
} from "./input-buffer.js";
import {
  appendHistory,
  type HistoryCursor,
  historyCursor,
  historyNext,
  historyPrev,
  historyPush,
} from "./input-history.js";
import type { KeyAction } from "./key-action.js";

export interface PromptControl {
  buffer: InputBuffer;
  /** The text as of the latest key event, even before React re-renders. */
  currentText(): string;
  setText(text: string): void;
  /** Applies an editing or history action; false for actions the prompt does not own. */
  edit(action: KeyAction): boolean;
  /** On Enter: the text to send, or null when Enter continued a `\`-terminated line. */
  enter(): string | null;
  /** Records a sent input in memory and in the history file. */
  remember(text: string): void;
}

/** The prompt's buffer and its Up/Down history walk. */
export function usePrompt(initialHistory: readonly string[], historyFile: string): PromptControl {
  const [buffer, setBuffer] = useState<InputBuffer>(EMPTY_BUFFER);
  // Refs mirror state so several key events arriving in one tick see each other's edits.
  const bufferRef = useRef(buffer);
  const historyRef = useRef<HistoryCursor>(historyCursor(initialHistory));
  // Appends are chained so quick successive sends land in the file in the order they were sent.
  const writesRef = useRef<Promise<void>>(Promise.resolve());

  const update = useCallback((next: InputBuffer) => {
    bufferRef.current = next;
    setBuffer(next);
  }, []);

  const walk = useCallback(
    (direction: "up" | "down") => {
      const current = bufferRef.current;
      const moved = direction === "up" ? moveUp(current) : moveDown(current);
      if (moved) return update(moved);
      const step =
        direction === "up" ? historyPrev(historyRef.current, current.text) : historyNext(historyRef.current);
      if (!step) return;
      historyRef.current = step.cursor;
      update(bufferOf(step.text));
    },
    [update],
  );

  const edit = useCallback(
    (action: KeyAction): boolean => {
      const b = bufferRef.current;
      switch (action.type) {
        case "insert":
          update(insert(b, action.text));
          return true;
        case "newline":
          update(insert(b, "\n"));
          return true;
        case "backspace":
          update(backspace(b));
          return true;
        case "delete":
          update(deleteForward(b));
          return true;
        case "left":
          update(moveLeft(b));
          return true;
        case "right":
          update(moveRight(b));
          return true;
        case "line-start":
          update(moveLineStart(b));
          return true;
        case "line-end":
          update(moveLineEnd(b));
          return true;
        case "kill-line":
          update(killToLineStart(b));
          return true;
        case "up":
        case "down":
          walk(action.type);
          return true;
        default:
          return false;
      }
    },
    [update, walk],
  );

  const enter = useCallback((): string | null => {
    const continued = continueLine(bufferRef.current);
    if (continued) {
      update(continued);
      return null;
    }
    return bufferRef.current.text;
  }, [update]);

  const remember = useCallback(
    (text: string) => {
      const before = historyRef.current.entries.at(-1);
      historyRef.current = historyPush(historyRef.current, text);
      if (before !== text) {
        // History is a convenience: failing to save it must not disturb the chat.
        writesRef.current = writesRef.current.then(() => appendHistory(historyFile, text)).catch(() => {});
      }
    },
    [historyFile],
  );

  const setText = useCallback((text: string) => update(bufferOf(text)), [update]);

  const currentText = useCallback(() => bufferRef.current.text, []);

  return { buffer, currentText, setText, edit, enter, remember };
}
