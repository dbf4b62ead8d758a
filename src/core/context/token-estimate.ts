import type { ContentPart, Message, ToolSpec } from "../../providers/types.js";

/** What an inline image costs, roughly, on the vendors' tokenizers (a ~1 MP picture). */
const IMAGE_TOKENS = 1600;
/** Role markers and separators each message adds around its content. */
const MESSAGE_OVERHEAD = 4;

/** A UTF-16 code unit beyond ASCII (each half of a surrogate pair counts once, as before). */
const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * Tokens of a text, estimated without a tokenizer: about 4 characters per token for ASCII (English
 * prose, code, JSON), about one per character beyond it (CJK, emoji). The error is corrected per
 * session by calibration against what the provider reports. The regular expression scans natively:
 * a loop over the characters ran unoptimized at start-up, ~4 ms for the tools' schemas and the prompt.
 */
export function estimateText(text: string): number {
  const other = text.match(NON_ASCII)?.length ?? 0;
  return Math.ceil((text.length - other) / 4 + other);
}

function estimateContent(content: string | ContentPart[]): number {
  if (typeof content === "string") return estimateText(content);
  let n = 0;
  for (const p of content) n += p.type === "text" ? estimateText(p.text) : IMAGE_TOKENS;
  return n;
}

export function estimateMessage(m: Message): number {
  let n = MESSAGE_OVERHEAD + estimateContent(m.content);
  if (m.role === "assistant") {
    for (const c of m.toolCalls ?? [])
      n += MESSAGE_OVERHEAD + estimateText(c.name + JSON.stringify(c.args ?? {}));
    // Reasoning is not sent back by every adapter; counting it errs on the safe side.
    if (m.reasoning) n += estimateText(m.reasoning);
  }
  return n;
}

const sizes = new WeakMap<Message, number>();

/** A message's estimated tokens, computed once per message object (a long session is re-fitted every step). */
export function sizeOf(m: Message): number {
  let n = sizes.get(m);
  if (n === undefined) {
    n = estimateMessage(m);
    sizes.set(m, n);
  }
  return n;
}

export function estimateMessages(messages: readonly Message[]): number {
  let n = 0;
  for (const m of messages) n += sizeOf(m);
  return n;
}

export function estimateTools(tools: readonly ToolSpec[] | undefined): number {
  let n = 0;
  for (const t of tools ?? [])
    n += MESSAGE_OVERHEAD + estimateText(t.name + t.description + JSON.stringify(t.parameters));
  return n;
}
