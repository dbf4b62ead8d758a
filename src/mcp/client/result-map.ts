import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ToolResult } from "../../core/tools/types.js";
import type { ContentPart } from "../../providers/types.js";

type Block = CallToolResult["content"][number];

function base64Bytes(data: string): number {
  return Math.floor((data.replace(/=+$/, "").length * 3) / 4);
}

function blockToPart(block: Block): ContentPart {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text };
    case "image":
      return { type: "image", mediaType: block.mimeType, data: block.data };
    case "audio":
      return {
        type: "text",
        text: `[audio: ${block.mimeType}, ${base64Bytes(block.data)} bytes, not shown to the model]`,
      };
    case "resource": {
      const r = block.resource;
      if ("text" in r && typeof r.text === "string")
        return { type: "text", text: `[resource: ${r.uri}]\n${r.text}` };
      const blob = "blob" in r && typeof r.blob === "string" ? r.blob : "";
      const mime = r.mimeType ? `, ${r.mimeType}` : "";
      return { type: "text", text: `[resource: ${r.uri}${mime}, ${base64Bytes(blob)} bytes of binary data]` };
    }
    case "resource_link": {
      const about = block.description ? `\n${block.description}` : "";
      return { type: "text", text: `[resource link: ${block.name} ${block.uri}]${about}` };
    }
    default:
      return { type: "text", text: JSON.stringify(block) };
  }
}

/** Maps a tools/call result to kavilo's ToolResult, keeping images as images. */
export function mapCallToolResult(result: CallToolResult): ToolResult {
  const parts = result.content.map(blockToPart);
  if (parts.length === 0 && result.structuredContent !== undefined) {
    parts.push({ type: "text", text: JSON.stringify(result.structuredContent) });
  }
  if (parts.length === 0) parts.push({ type: "text", text: "(no content)" });
  return result.isError ? { content: parts, isError: true } : { content: parts };
}
