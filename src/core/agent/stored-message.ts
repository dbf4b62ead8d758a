import type { ContentPart, Message } from "../../providers/types.js";

/**
 * The text part a channel puts right before an inline image. It names the saved file, so the
 * stored history can still say which image it was once the pixels are gone.
 */
export function imageLabel(path: string, mediaType: string): string {
  return `[image: ${path} (${mediaType})]`;
}

const LABEL = /^\[image: .+ \([^()]+\)\]$/;

/**
 * What a message looks like in the session file: images are inline for the turn they arrive in
 * only. Replaying them would re-send megabytes on every later turn, and a model that rejects
 * images would fail every turn of the chat until /new.
 */
export function forStorage(m: Message): Message {
  if (m.role === "assistant" || typeof m.content === "string") return m;
  if (!m.content.some((p) => p.type === "image")) return m;
  const parts: ContentPart[] = [];
  for (const p of m.content) {
    if (p.type !== "image") {
      parts.push(p);
      continue;
    }
    const prev = parts.at(-1);
    if (prev?.type === "text" && LABEL.test(prev.text)) {
      parts[parts.length - 1] = { type: "text", text: `${prev.text.slice(0, -1)}, sent earlier]` };
    } else {
      parts.push({ type: "text", text: `[image (${p.mediaType}), sent earlier; no longer attached]` });
    }
  }
  const text = parts.map((p) => (p.type === "text" ? p.text : "")).join("\n");
  return { ...m, content: text };
}
