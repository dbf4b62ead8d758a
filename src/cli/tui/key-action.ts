import type { Key } from "ink";

/** What a key press means to the prompt, independent of the app's state. */
export type KeyAction =
  | { type: "insert"; text: string }
  | { type: "type-submit"; text: string }
  | { type: "newline" }
  | { type: "submit" }
  | { type: "backspace" }
  | { type: "delete" }
  | { type: "left" }
  | { type: "right" }
  | { type: "line-start" }
  | { type: "line-end" }
  | { type: "kill-line" }
  | { type: "up" }
  | { type: "down" }
  | { type: "ctrl-c" }
  | { type: "ctrl-d" }
  | { type: "toggle-tools" }
  | { type: "none" };

/** Maps ink's (input, key) pair to an action. Ctrl-O toggles tool outputs. */
export function keyAction(input: string, key: Key): KeyAction {
  if (key.ctrl && !key.meta) {
    switch (input) {
      case "c":
        return { type: "ctrl-c" };
      case "d":
        return { type: "ctrl-d" };
      case "a":
        return { type: "line-start" };
      case "e":
        return { type: "line-end" };
      case "u":
        return { type: "kill-line" };
      case "o":
        return { type: "toggle-tools" };
      case "b":
        return { type: "left" };
      case "f":
        return { type: "right" };
    }
  }
  // Shift+Enter reaches us only from terminals that report it (kitty protocol); Alt+Enter is the
  // portable fallback ("\x1b\r" parses as meta+return).
  if (key.return) return key.shift || key.meta ? { type: "newline" } : { type: "submit" };
  if (key.backspace) return { type: "backspace" };
  if (key.delete) return { type: "delete" };
  if (key.leftArrow) return { type: "left" };
  if (key.rightArrow) return { type: "right" };
  if (key.upArrow) return { type: "up" };
  if (key.downArrow) return { type: "down" };
  if (key.home) return { type: "line-start" };
  if (key.end) return { type: "line-end" };
  if (key.meta && input.length === 1) return { type: "none" };
  if (key.ctrl || key.escape || key.tab || key.pageUp || key.pageDown) return { type: "none" };
  // Typing then Enter can arrive as one chunk ("hello\r"): from a fast typist, a slow event loop,
  // or `tmux send-keys "hello" Enter`. A lone trailing CR with no other line break is a keypress,
  // not a paste (real pastes arrive bracketed, or carry their own newlines), so it sends.
  if (/^[^\r\n]+\r$/.test(input)) return { type: "type-submit", text: input.slice(0, -1) };
  // Any other multi-character chunk is a paste; it may contain newlines and is inserted whole, never sent.
  if (input !== "") return { type: "insert", text: input };
  return { type: "none" };
}
