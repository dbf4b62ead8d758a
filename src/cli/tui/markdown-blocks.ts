import { lexer } from "marked";

/**
 * How many leading characters of streaming markdown form blocks that can no longer change: every
 * block before the last one. The last block may still grow (a paragraph, an unclosed code fence), so
 * it stays live. Returns 0 when nothing can be split off safely.
 *
 * Rendering the prefix and the rest as two blocks reads the same as rendering the whole, because
 * blocks are laid out one blank line apart either way.
 */
export function finishedBlocksLength(text: string): number {
  // The lexer normalizes CR LF, and reference definitions reach across blocks: leave those whole.
  if (text.includes("\r")) return 0;
  const tokens = lexer(text);
  if (tokens.some((t) => t.type === "def")) return 0;
  let lastBlock = -1;
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (tokens[i]?.type !== "space") {
      lastBlock = i;
      break;
    }
  }
  if (lastBlock <= 0) return 0;
  let length = 0;
  for (let i = 0; i < lastBlock; i++) length += tokens[i]?.raw.length ?? 0;
  const prefix = text.slice(0, length);
  // The raws must tile the text exactly, or a split could drop or repeat characters.
  const tiled = tokens
    .slice(0, lastBlock)
    .map((t) => t.raw)
    .join("");
  if (prefix !== tiled || prefix.trim() === "") return 0;
  return length;
}
