import type { ContentPart, Message, ProviderError } from "../../providers/types.js";
import { sizeOf } from "./token-estimate.js";

/**
 * Vendor wordings of "the prompt is longer than the model's context": OpenAI's
 * context_length_exceeded ("maximum context length"), Anthropic's "prompt is too long", the Codex
 * backend's response.failed code, and the usual phrasings of compatible servers.
 */
const OVERFLOW =
  /context[_ ]length[_ ]exceeded|maximum context length|prompt is too long|context window|exceeds? the (model's )?context|too many tokens|input is too long|reduce the length of the messages/i;

/** Whether a provider error says the request did not fit the model's context. */
export function isContextOverflow(err: ProviderError): boolean {
  if (err.code !== "bad_request" && err.code !== "unknown" && err.status !== 413) return false;
  if (err.status === 413) return true;
  if (OVERFLOW.test(err.message)) return true;
  // The SDK error keeps the vendor's machine-readable code (OpenAI: error.code).
  const cause = err.cause as { code?: unknown; error?: { code?: unknown } } | undefined;
  return cause?.code === "context_length_exceeded" || cause?.error?.code === "context_length_exceeded";
}

function chars(content: string | ContentPart[]): number {
  if (typeof content === "string") return content.length;
  return content.reduce((n, p) => n + (p.type === "text" ? p.text.length : p.data.length), 0);
}

function describe(m: Message): string {
  if (m.role === "tool") return `the result of the ${m.toolName} tool`;
  if (m.role === "assistant") return "an assistant message";
  return "your message";
}

/** One line naming the message that keeps a request from fitting, once consolidation could not help. */
export function tooLargeLine(messages: readonly Message[], budget: number): string {
  let largest: Message | undefined;
  for (const m of messages) if (!largest || sizeOf(m) > sizeOf(largest)) largest = m;
  if (!largest) return "the request does not fit the model's context window";
  const n = chars(largest.content).toLocaleString("en-US");
  const fix =
    largest.role === "tool"
      ? "ask for a smaller part of it (a line range, a narrower command)"
      : "send a smaller part of it";
  return (
    `${describe(largest)} is too large for the model's context (${n} characters, about ` +
    `${sizeOf(largest).toLocaleString("en-US")} tokens; the prompt budget is ${budget.toLocaleString("en-US")}): ` +
    `${fix}, or raise agents.defaults.contextWindow if the model allows more`
  );
}
