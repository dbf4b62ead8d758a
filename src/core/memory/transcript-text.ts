import type { ContentPart, Message } from "../../providers/types.js";

function contentText(content: string | ContentPart[]): string {
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" ? p.text : `[image ${p.mediaType}]`)).join("\n");
}

function clip(text: string, max: number): string {
  return max > 0 && text.length > max
    ? `${text.slice(0, max)}… [${text.length - max} more characters]`
    : text;
}

/**
 * A stretch of conversation as plain text, one block per message: what the consolidation model
 * reads, and what a raw archive keeps. `maxChars` clips each message (0: keep everything).
 */
export function transcriptText(messages: readonly Message[], maxChars = 0): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === "user") lines.push(`USER: ${clip(contentText(m.content), maxChars)}`);
    else if (m.role === "assistant") {
      if (m.content) lines.push(`ASSISTANT: ${clip(m.content, maxChars)}`);
      for (const c of m.toolCalls ?? [])
        lines.push(`ASSISTANT called ${c.name} ${clip(JSON.stringify(c.args ?? {}), 500)}`);
    } else {
      const tag = m.isError ? "failed" : "returned";
      lines.push(`TOOL ${m.toolName} ${tag}: ${clip(contentText(m.content), maxChars)}`);
    }
  }
  return lines.join("\n");
}
