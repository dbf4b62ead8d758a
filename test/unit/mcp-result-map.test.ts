import { describe, expect, it } from "vitest";
import { mapCallToolResult } from "../../src/mcp/client/result-map.js";

describe("mapCallToolResult", () => {
  it("keeps text and images, notes audio, and flags errors", () => {
    const result = mapCallToolResult({
      isError: true,
      content: [
        { type: "text", text: "first" },
        { type: "image", data: "aGVsbG8=", mimeType: "image/jpeg" },
        { type: "audio", data: "AAAA", mimeType: "audio/wav" },
      ],
    });
    expect(result).toEqual({
      isError: true,
      content: [
        { type: "text", text: "first" },
        { type: "image", mediaType: "image/jpeg", data: "aGVsbG8=" },
        { type: "text", text: "[audio: audio/wav, 3 bytes, not shown to the model]" },
      ],
    });
  });

  it("turns embedded resources and links into text with their uri", () => {
    const result = mapCallToolResult({
      content: [
        { type: "resource", resource: { uri: "file:///a.txt", text: "contents" } },
        {
          type: "resource",
          resource: { uri: "file:///b.bin", mimeType: "application/zip", blob: "AAAAAA==" },
        },
        { type: "resource_link", uri: "https://x/y", name: "Y", description: "the y doc" },
      ],
    });
    expect(result.content).toEqual([
      { type: "text", text: "[resource: file:///a.txt]\ncontents" },
      { type: "text", text: "[resource: file:///b.bin, application/zip, 4 bytes of binary data]" },
      { type: "text", text: "[resource link: Y https://x/y]\nthe y doc" },
    ]);
    expect(result.isError).toBeUndefined();
  });

  it("uses structured content when there is no content, and never returns nothing", () => {
    expect(mapCallToolResult({ content: [], structuredContent: { n: 3 } }).content).toEqual([
      { type: "text", text: '{"n":3}' },
    ]);
    expect(mapCallToolResult({ content: [] }).content).toEqual([{ type: "text", text: "(no content)" }]);
  });
});
