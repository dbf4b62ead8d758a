import type {
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type { ContentPart, ImagePart, Message, ToolSpec } from "./types.js";

function dataUrl(p: ImagePart): string {
  return `data:${p.mediaType};base64,${p.data}`;
}

function userContent(content: string | ContentPart[]): string | ChatCompletionContentPart[] {
  if (typeof content === "string") return content;
  return content.map((p) =>
    p.type === "text"
      ? { type: "text" as const, text: p.text }
      : { type: "image_url" as const, image_url: { url: dataUrl(p) } },
  );
}

function textOf(content: string | ContentPart[]): string {
  if (typeof content === "string") return content;
  return content
    .map((p) => (p.type === "text" ? p.text : `[image ${p.mediaType} attached in the next message]`))
    .join("\n");
}

/**
 * Neutral messages → chat-completions messages. Tool messages only carry text, so images a tool
 * returned go in one user message right after the run of tool results (a user message between two
 * tool results would break the tool-call pairing).
 */
export function toChatMessages(
  system: string | undefined,
  messages: Message[],
): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (system) out.push({ role: "system", content: system });
  let pendingImages: ImagePart[] = [];
  const flushImages = () => {
    if (pendingImages.length === 0) return;
    out.push({
      role: "user",
      content: [
        { type: "text", text: "Images returned by the tool calls above:" },
        ...pendingImages.map((p) => ({ type: "image_url" as const, image_url: { url: dataUrl(p) } })),
      ],
    });
    pendingImages = [];
  };
  for (const m of messages) {
    if (m.role !== "tool") flushImages();
    if (m.role === "user") {
      out.push({ role: "user", content: userContent(m.content) });
    } else if (m.role === "assistant") {
      const calls = m.toolCalls ?? [];
      out.push({
        role: "assistant",
        content: m.content || (calls.length > 0 ? null : ""),
        ...(calls.length > 0
          ? {
              tool_calls: calls.map((c) => ({
                id: c.id,
                type: "function" as const,
                function: { name: c.name, arguments: JSON.stringify(c.args ?? {}) },
              })),
            }
          : {}),
      });
    } else {
      const text = textOf(m.content);
      out.push({
        role: "tool",
        tool_call_id: m.toolCallId,
        content: m.isError ? `Error: ${text}` : text,
      });
      if (typeof m.content !== "string") {
        for (const p of m.content) if (p.type === "image") pendingImages.push(p);
      }
    }
  }
  flushImages();
  return out;
}

export function toChatTools(tools: ToolSpec[] | undefined): ChatCompletionTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}
