import { describe, expect, it } from "vitest";
import { toAnthropicMessages, toAnthropicTools } from "../../src/providers/anthropic-messages.js";
import { ChatChunkAssembler } from "../../src/providers/openai-chunks.js";
import { toChatMessages } from "../../src/providers/openai-messages.js";
import { parseToolArgs } from "../../src/providers/tool-args.js";
import type { Message } from "../../src/providers/types.js";

const loop: Message[] = [
  { role: "user", content: "go" },
  {
    role: "assistant",
    content: "",
    toolCalls: [
      { id: "a", name: "shot", args: {} },
      { id: "b", name: "shot", args: {} },
    ],
  },
  {
    role: "tool",
    toolCallId: "a",
    toolName: "shot",
    content: [{ type: "image", mediaType: "image/png", data: "AA" }],
  },
  {
    role: "tool",
    toolCallId: "b",
    toolName: "shot",
    content: [{ type: "image", mediaType: "image/jpeg", data: "BB" }],
  },
  { role: "user", content: "and?" },
];

describe("chat-completions mapping", () => {
  it("keeps tool results adjacent and sends their images in one user message after them", () => {
    const out = toChatMessages(undefined, loop);
    expect(out.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool", "user", "user"]);
    const images = out[4]?.content as { type: string; image_url?: { url: string } }[];
    expect(images.filter((p) => p.type === "image_url").map((p) => p.image_url?.url)).toEqual([
      "data:image/png;base64,AA",
      "data:image/jpeg;base64,BB",
    ]);
  });

  it("assembles tool calls even when a server omits the index", () => {
    const asm = new ChatChunkAssembler();
    const chunk = (tool_calls: object[], finish_reason: string | null = null) =>
      ({
        id: "x",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: [{ index: 0, delta: { tool_calls }, finish_reason }],
      }) as never;
    asm.push(chunk([{ id: "c1", function: { name: "f", arguments: '{"a":' } }]));
    asm.push(chunk([{ function: { arguments: "1}" } }]));
    asm.push(chunk([{ id: "c2", function: { name: "g", arguments: "{}" } }]));
    // The stream's end marker: without a finish_reason the assembler reports no finish (a cut stream).
    asm.push(chunk([], "tool_calls"));
    expect(asm.end()).toEqual([
      { type: "tool-call", id: "c1", name: "f", args: { a: 1 } },
      { type: "tool-call", id: "c2", name: "g", args: {} },
      { type: "finish", reason: "tool-calls" },
    ]);
  });
});

describe("messages API mapping", () => {
  it("merges consecutive tool results into one user turn and marks the last block for caching", () => {
    const out = toAnthropicMessages(loop);
    expect(out.map((m) => m.role)).toEqual(["user", "assistant", "user", "user"]);
    const results = out[2]?.content as { type: string; tool_use_id?: string }[];
    expect(results.map((b) => [b.type, b.tool_use_id])).toEqual([
      ["tool_result", "a"],
      ["tool_result", "b"],
    ]);
    const last = out[3]?.content as { cache_control?: unknown }[];
    expect(last.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
    expect(results.some((b) => "cache_control" in b)).toBe(false);
  });

  it("drops an empty assistant turn and marks only the last tool", () => {
    const out = toAnthropicMessages([
      { role: "user", content: "hi" },
      { role: "assistant", content: "" },
    ]);
    expect(out).toHaveLength(1);
    const tools = toAnthropicTools([
      { name: "a", description: "", parameters: { type: "object" } },
      { name: "b", description: "", parameters: { type: "object" } },
    ]);
    expect(tools?.map((t) => "cache_control" in t)).toEqual([false, true]);
  });
});

describe("tool argument parsing", () => {
  it("parses JSON, treats empty as no arguments, and keeps invalid text under _raw", () => {
    expect(parseToolArgs('{"x":1}')).toEqual({ x: 1 });
    expect(parseToolArgs("")).toEqual({});
    expect(parseToolArgs("{oops")).toEqual({ _raw: "{oops" });
  });
});
