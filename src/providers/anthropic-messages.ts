import type {
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import type { ContentPart, ImagePart, Message, ToolSpec } from "./types.js";

const EPHEMERAL = { type: "ephemeral" } as const;
type ImageMedia = "image/jpeg" | "image/png" | "image/gif" | "image/webp";
const IMAGE_MEDIA: ReadonlySet<string> = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

function image(p: ImagePart): ImageBlockParam | TextBlockParam {
  if (!IMAGE_MEDIA.has(p.mediaType)) return { type: "text", text: `[unsupported image type ${p.mediaType}]` };
  return { type: "image", source: { type: "base64", media_type: p.mediaType as ImageMedia, data: p.data } };
}

function blocks(content: string | ContentPart[]): (TextBlockParam | ImageBlockParam)[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  return content
    .filter((p) => p.type === "image" || p.text !== "")
    .map((p) => (p.type === "text" ? { type: "text" as const, text: p.text } : image(p)));
}

function toolArgsObject(args: unknown): Record<string, unknown> {
  return args !== null && typeof args === "object" && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : {};
}

export function toAnthropicSystem(system: string | undefined): TextBlockParam[] | undefined {
  return system ? [{ type: "text", text: system, cache_control: EPHEMERAL }] : undefined;
}

/**
 * Neutral messages → Messages API turns. Tool results become tool_result blocks in a user turn,
 * consecutive ones merged. The last block of the conversation gets a cache breakpoint too, so a
 * tool loop re-reads its growing prefix from the cache (system + tools + this = 3 of the 4 allowed).
 */
export function toAnthropicMessages(messages: Message[]): MessageParam[] {
  const out: MessageParam[] = [];
  let toolTurn: ContentBlockParam[] | undefined;
  for (const m of messages) {
    if (m.role === "tool") {
      const content = blocks(m.content);
      const result: ToolResultBlockParam = {
        type: "tool_result",
        tool_use_id: m.toolCallId,
        content: content.length > 0 ? content : "(no output)",
        ...(m.isError ? { is_error: true } : {}),
      };
      if (!toolTurn) {
        toolTurn = [];
        out.push({ role: "user", content: toolTurn });
      }
      toolTurn.push(result);
      continue;
    }
    toolTurn = undefined;
    if (m.role === "user") {
      const content = blocks(m.content);
      out.push({ role: "user", content: content.length > 0 ? content : [{ type: "text", text: "(empty)" }] });
    } else {
      const content: ContentBlockParam[] = m.content ? [{ type: "text", text: m.content }] : [];
      for (const c of m.toolCalls ?? []) {
        content.push({ type: "tool_use", id: c.id, name: c.name, input: toolArgsObject(c.args) });
      }
      // An empty assistant turn is rejected by the API and says nothing; drop it.
      if (content.length > 0) out.push({ role: "assistant", content });
    }
  }
  markLastBlock(out);
  return out;
}

function markLastBlock(out: MessageParam[]): void {
  const last = out.at(-1);
  if (!last || typeof last.content === "string") return;
  const block = last.content.at(-1);
  if (block && (block.type === "text" || block.type === "tool_result" || block.type === "image")) {
    block.cache_control = EPHEMERAL;
  }
}

export function toAnthropicTools(tools: ToolSpec[] | undefined): Tool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((t, i) => ({
    name: t.name,
    description: t.description,
    input_schema: { type: "object", ...t.parameters } as Tool["input_schema"],
    ...(i === tools.length - 1 ? { cache_control: EPHEMERAL } : {}),
  }));
}
