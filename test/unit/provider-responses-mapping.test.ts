import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { formatInZone, usageLimitFailure } from "../../src/providers/codex-usage-limit.js";
import { ReasoningMemory } from "../../src/providers/openai-responses.js";
import { ResponsesEventAssembler } from "../../src/providers/responses-events.js";
import { canonicalJson, promptCacheKey, toResponsesInput } from "../../src/providers/responses-input.js";
import type { StreamEvent } from "../../src/providers/types.js";

/** Events as the wire sends them; only the fields the assembler reads are typed here. */
const ev = (e: Record<string, unknown>) => e as unknown as ResponseStreamEvent;

function run(events: Record<string, unknown>[]): { out: StreamEvent[]; asm: ResponsesEventAssembler } {
  const asm = new ResponsesEventAssembler("openai_codex");
  const out: StreamEvent[] = [];
  for (const e of events) out.push(...asm.push(ev(e)));
  out.push(...asm.end());
  return { out, asm };
}

const completed = (usage?: object) => ({
  type: "response.completed",
  response: { status: "completed", usage },
});

describe("Responses event mapping", () => {
  it("separates reasoning summary parts and keeps the encrypted reasoning for the replay", () => {
    const { out, asm } = run([
      { type: "response.reasoning_summary_text.delta", item_id: "rs", summary_index: 0, delta: "one" },
      { type: "response.reasoning_summary_text.delta", item_id: "rs", summary_index: 1, delta: "two" },
      {
        type: "response.output_item.done",
        item: {
          type: "reasoning",
          id: "rs",
          summary: [
            { type: "summary_text", text: "one" },
            { type: "summary_text", text: "two" },
          ],
          encrypted_content: "ENC",
        },
      },
      {
        type: "response.output_item.done",
        item: { type: "function_call", call_id: "c1", name: "f", arguments: '{"a":1}' },
      },
      completed({
        input_tokens: 9,
        output_tokens: 4,
        input_tokens_details: { cached_tokens: 2 },
        output_tokens_details: { reasoning_tokens: 3 },
      }),
    ]);
    expect(out).toEqual([
      { type: "reasoning-delta", text: "one" },
      { type: "reasoning-delta", text: "\n\n" },
      { type: "reasoning-delta", text: "two" },
      { type: "tool-call", id: "c1", name: "f", args: { a: 1 } },
      { type: "usage", usage: { input: 9, output: 4, reasoning: 3, cacheRead: 2 } },
      { type: "finish", reason: "tool-calls" },
    ]);
    expect(asm.callIds).toEqual(["c1"]);
    expect(asm.reasoning).toEqual([
      {
        type: "reasoning",
        summary: [
          { type: "summary_text", text: "one" },
          { type: "summary_text", text: "two" },
        ],
        encrypted_content: "ENC",
      },
    ]);
  });

  it("sends a message's text whole when it did not stream, and never twice when it did", () => {
    const item = (id: string, text: string) => ({
      type: "response.output_item.done",
      item: { type: "message", id, content: [{ type: "output_text", text }] },
    });
    const { out } = run([
      { type: "response.output_text.delta", item_id: "m1", delta: "streamed" },
      item("m1", "streamed"),
      item("m2", " whole"),
      completed(),
    ]);
    expect(out.filter((e) => e.type === "text-delta")).toEqual([
      { type: "text-delta", text: "streamed" },
      { type: "text-delta", text: " whole" },
    ]);
  });

  it("response.incomplete for max_output_tokens finishes with length", () => {
    const { out } = run([
      { type: "response.incomplete", response: { incomplete_details: { reason: "max_output_tokens" } } },
    ]);
    expect(out).toEqual([{ type: "finish", reason: "length" }]);
  });

  it("an error event throws a one-line error classified by its code", () => {
    const asm = new ResponsesEventAssembler("openai_codex");
    expect(() => [
      ...asm.push(ev({ type: "error", code: "rate_limit_exceeded", message: "slow down" })),
    ]).toThrow("openai_codex failed: slow down (rate_limit_exceeded)");
  });

  it("a stream without response.completed is an error at the end", () => {
    const asm = new ResponsesEventAssembler("openai_codex");
    [...asm.push(ev({ type: "response.output_text.delta", item_id: "m", delta: "x" }))];
    expect(() => asm.end()).toThrow(/ended before the answer was complete/);
  });
});

describe("Responses input mapping", () => {
  it("puts remembered reasoning before the calls it came with, and tool images after their output", () => {
    const memory = new ReasoningMemory();
    const reasoning = { type: "reasoning" as const, summary: [], encrypted_content: "E" };
    memory.remember(["c1", "c2"], [reasoning]);
    const input = toResponsesInput(
      [
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "c1", name: "f", args: {} },
            { id: "c2", name: "g", args: { x: 1 } },
          ],
        },
        { role: "tool", toolCallId: "c1", toolName: "f", content: "fine" },
        {
          role: "tool",
          toolCallId: "c2",
          toolName: "g",
          isError: true,
          content: [
            { type: "text", text: "nope" },
            { type: "image", mediaType: "image/png", data: "AAA" },
          ],
        },
      ],
      (ids) => memory.recall(ids),
    );
    expect(input).toEqual([
      reasoning,
      { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
      { type: "function_call", call_id: "c2", name: "g", arguments: '{"x":1}' },
      { type: "function_call_output", call_id: "c1", output: "fine" },
      { type: "function_call_output", call_id: "c2", output: "Error: nope" },
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "Images returned by g:" },
          { type: "input_image", image_url: "data:image/png;base64,AAA", detail: "auto" },
        ],
      },
    ]);
  });

  it("the cache key ignores key order and the rest of the conversation, not the first message", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3] } })).toBe('{"a":{"c":[3],"d":2},"b":1}');
    const first = toResponsesInput([{ role: "user", content: "hi" }]);
    const longer = toResponsesInput([
      { role: "user", content: "hi" },
      { role: "assistant", content: "yo" },
    ]);
    const other = toResponsesInput([{ role: "user", content: "hello" }]);
    expect(promptCacheKey("m", undefined, longer)).toBe(promptCacheKey("m", undefined, first));
    expect(promptCacheKey("m", undefined, other)).not.toBe(promptCacheKey("m", undefined, first));
    expect(promptCacheKey("m2", undefined, first)).not.toBe(promptCacheKey("m", undefined, first));
  });
});

describe("usage limit", () => {
  it("names the plan and the reset in the given zone, and is final", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const f = usageLimitFailure(
      "openai_codex",
      { plan_type: "pro", resets_in_seconds: 3600 },
      { timezone: "UTC", now, status: 429 },
    );
    expect(f.final).toBe(true);
    expect(f.error.message).toBe(
      `openai_codex: the ChatGPT Pro plan's usage limit is reached; it resets ${formatInZone(new Date("2030-01-01T01:00:00Z"), "UTC")}`,
    );
    expect(f.error.message).toContain("01:00 UTC");
  });

  it("an unknown zone name falls back to the process zone instead of failing", () => {
    expect(formatInZone(new Date(0), "Not/AZone")).toMatch(/1970|1969/);
  });
});
