import type { ContentPart, Message, ToolSpec } from "./types.js";

/**
 * kavilo's messages as OpenAI Responses input items. With `store: false` the server keeps nothing,
 * so items carry no server ids; a tool result pairs with its call by `call_id` only.
 */

type InputContent =
  | { type: "input_text"; text: string }
  | { type: "input_image"; image_url: string; detail: "auto" };

/** A reasoning item as it is replayed: its summary and the encrypted reasoning, no id. */
export interface ReasoningReplay {
  type: "reasoning";
  summary: { type: "summary_text"; text: string }[];
  encrypted_content: string;
}

export type ResponsesInputItem =
  | { type: "message"; role: "user"; content: InputContent[] }
  | { type: "message"; role: "assistant"; content: string }
  | { type: "function_call"; call_id: string; name: string; arguments: string }
  | { type: "function_call_output"; call_id: string; output: string }
  | ReasoningReplay;

export interface ResponsesFunctionTool {
  type: "function";
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  strict: false;
}

function userContent(content: string | ContentPart[]): InputContent[] {
  if (typeof content === "string") return [{ type: "input_text", text: content }];
  return content.map((p) =>
    p.type === "text"
      ? { type: "input_text", text: p.text }
      : { type: "input_image", image_url: `data:${p.mediaType};base64,${p.data}`, detail: "auto" },
  );
}

const textOf = (content: string | ContentPart[]) =>
  typeof content === "string"
    ? content
    : content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n");

/**
 * `reasoningFor(callIds)` returns the reasoning items the server sent with those calls, so they go
 * back before them in the next request of the turn (the model keeps its chain of thought).
 */
export function toResponsesInput(
  messages: Message[],
  reasoningFor: (callIds: string[]) => ReasoningReplay[] = () => [],
): ResponsesInputItem[] {
  const out: ResponsesInputItem[] = [];
  for (const m of messages) {
    if (m.role === "user") {
      out.push({ type: "message", role: "user", content: userContent(m.content) });
    } else if (m.role === "assistant") {
      const calls = m.toolCalls ?? [];
      if (calls.length > 0) out.push(...reasoningFor(calls.map((c) => c.id)));
      if (m.content) out.push({ type: "message", role: "assistant", content: m.content });
      for (const c of calls) {
        out.push({
          type: "function_call",
          call_id: c.id,
          name: c.name,
          arguments: JSON.stringify(c.args ?? {}),
        });
      }
    } else {
      const text = textOf(m.content);
      const output = m.isError && !text.startsWith("Error") ? `Error: ${text}` : text;
      out.push({ type: "function_call_output", call_id: m.toolCallId, output });
      // A function output is text on this wire: images a tool returned follow as a user message.
      const images = typeof m.content === "string" ? [] : m.content.filter((p) => p.type === "image");
      if (images.length > 0) {
        out.push({
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: `Images returned by ${m.toolName}:` },
            ...userContent(images),
          ],
        });
      }
    }
  }
  return out;
}

export function toResponsesTools(tools: ToolSpec[] | undefined): ResponsesFunctionTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((t) => ({
    type: "function",
    name: t.name,
    description: t.description,
    parameters: t.parameters,
    strict: false,
  }));
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The prompt cache key: a hash of the conversation's stable prefix (model, tools, the first input
 * item), so every request of one conversation, in any run or process, shares the server's cache.
 * The instructions are left out: they carry the clock and would change the key every request.
 */
export function promptCacheKey(
  model: string,
  tools: ResponsesFunctionTool[] | undefined,
  input: ResponsesInputItem[],
) {
  const prefix = canonicalJson({ v: 1, model, tools: tools ?? [], first: input[0] ?? null });
  const { createHash } = process.getBuiltinModule("node:crypto");
  return `kavilo-${createHash("sha256").update(prefix).digest("hex").slice(0, 40)}`;
}
