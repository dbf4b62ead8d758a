import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { parseToolArgs } from "./tool-args.js";
import type { FinishReason, StreamEvent, Usage } from "./types.js";

function finishReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case "end_turn":
    case "stop_sequence":
    case null:
    case undefined:
      return "stop";
    case "tool_use":
      return "tool-calls";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "refusal":
      return "content-filter";
    default:
      return "other";
  }
}

interface Counts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Undefined until the server reports it, so a model without thinking records no reasoning count. */
  reasoning?: number;
}

/**
 * Folds Messages API stream events into neutral events. Usage is normalised so `input` counts
 * every prompt token (as OpenAI's prompt_tokens does): Anthropic reports cached reads and cache
 * writes apart from input_tokens.
 */
export class AnthropicEventAssembler {
  private readonly tools = new Map<number, { id: string; name: string; json: string }>();
  private readonly counts: Counts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  private sawUsage = false;
  private stop: string | null | undefined;
  /** message_stop arrived: the answer is complete. */
  private stopped = false;

  push(ev: RawMessageStreamEvent): StreamEvent[] {
    switch (ev.type) {
      case "message_start":
        this.takeUsage(ev.message.usage);
        return [];
      case "content_block_start": {
        const b = ev.content_block;
        if (b.type === "tool_use") this.tools.set(ev.index, { id: b.id, name: b.name, json: "" });
        if (b.type === "text" && b.text) return [{ type: "text-delta", text: b.text }];
        if (b.type === "thinking" && b.thinking) return [{ type: "reasoning-delta", text: b.thinking }];
        return [];
      }
      case "content_block_delta": {
        const d = ev.delta;
        if (d.type === "text_delta" && d.text) return [{ type: "text-delta", text: d.text }];
        if (d.type === "thinking_delta" && d.thinking) return [{ type: "reasoning-delta", text: d.thinking }];
        if (d.type === "input_json_delta") {
          const t = this.tools.get(ev.index);
          if (t) t.json += d.partial_json;
        }
        return [];
      }
      case "content_block_stop": {
        const t = this.tools.get(ev.index);
        if (!t) return [];
        this.tools.delete(ev.index);
        return [{ type: "tool-call", id: t.id, name: t.name, args: parseToolArgs(t.json) }];
      }
      case "message_delta":
        this.stop = ev.delta.stop_reason ?? this.stop;
        this.takeUsage(ev.usage);
        return [];
      case "message_stop":
        this.stopped = true;
        return [];
      default:
        return [];
    }
  }

  private takeUsage(u: {
    input_tokens?: number | null;
    output_tokens?: number | null;
    cache_read_input_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
    output_tokens_details?: { thinking_tokens?: number | null } | null;
  }): void {
    this.sawUsage = true;
    // message_delta counts are cumulative: a later non-null value replaces the earlier one.
    if (typeof u.input_tokens === "number") this.counts.input = u.input_tokens;
    if (typeof u.output_tokens === "number") this.counts.output = u.output_tokens;
    if (typeof u.cache_read_input_tokens === "number") this.counts.cacheRead = u.cache_read_input_tokens;
    if (typeof u.cache_creation_input_tokens === "number")
      this.counts.cacheWrite = u.cache_creation_input_tokens;
    // Part of output_tokens (which stays the billed total), as OpenAI's reasoning_tokens is.
    const thinking = u.output_tokens_details?.thinking_tokens;
    if (typeof thinking === "number") this.counts.reasoning = thinking;
  }

  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.sawUsage) {
      const c = this.counts;
      const usage: Usage = { input: c.input + c.cacheRead + c.cacheWrite, output: c.output };
      if (c.cacheRead) usage.cacheRead = c.cacheRead;
      if (c.cacheWrite) usage.cacheWrite = c.cacheWrite;
      if (c.reasoning !== undefined) usage.reasoning = c.reasoning;
      out.push({ type: "usage", usage });
    }
    // No message_stop: the stream was cut off; policyStream reports it as incomplete.
    if (this.stopped) out.push({ type: "finish", reason: finishReason(this.stop) });
    return out;
  }
}
