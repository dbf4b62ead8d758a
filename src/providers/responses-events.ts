import type {
  Response,
  ResponseOutputItem,
  ResponseStreamEvent,
  ResponseUsage,
} from "openai/resources/responses/responses";
import type { EventAssembler } from "./adapter.js";
import type { ReasoningReplay } from "./responses-input.js";
import { parseToolArgs } from "./tool-args.js";
import {
  type FinishReason,
  ProviderError,
  type ProviderErrorCode,
  type StreamEvent,
  type Usage,
} from "./types.js";

/** What a Responses error code means to kavilo (the codes of `response.failed` and `error` events). */
export function responsesErrorCode(code: string | null | undefined): ProviderErrorCode {
  switch (code) {
    case "server_error":
    case "server_is_overloaded":
    case "slow_down":
      return "server";
    case "rate_limit_exceeded":
      return "rate_limit";
    case "usage_limit_reached":
    case "usage_not_included":
      return "rate_limit";
    case "context_length_exceeded":
    case "invalid_prompt":
      return "bad_request";
    default:
      return code?.startsWith("invalid_") || code?.startsWith("image_") ? "bad_request" : "unknown";
  }
}

function streamError(
  provider: string,
  code: string | null | undefined,
  message: string | undefined,
): ProviderError {
  const what = message?.trim() || "the model could not answer";
  return new ProviderError(`${provider} failed: ${what}${code ? ` (${code})` : ""}`, {
    code: responsesErrorCode(code),
    provider,
  });
}

function toUsage(u: ResponseUsage): Usage {
  const usage: Usage = { input: u.input_tokens ?? 0, output: u.output_tokens ?? 0 };
  const reasoning = u.output_tokens_details?.reasoning_tokens;
  if (typeof reasoning === "number") usage.reasoning = reasoning;
  const cached = u.input_tokens_details?.cached_tokens;
  if (typeof cached === "number") usage.cacheRead = cached;
  return usage;
}

function incompleteReason(r: Response): FinishReason {
  const why = r.incomplete_details?.reason;
  if (why === "max_output_tokens") return "length";
  if (why === "content_filter") return "content-filter";
  return "other";
}

/**
 * Folds a Responses event stream into neutral events. Text and reasoning summaries stream as
 * deltas; a finished item whose text never streamed is sent whole; function calls come out when
 * their item is done. The reasoning items (with their encrypted content) and the call ids are kept
 * for the replay in the next request of the turn. A stream without `response.completed` (or
 * `response.incomplete`) is an error.
 */
export class ResponsesEventAssembler implements EventAssembler<ResponseStreamEvent> {
  readonly reasoning: ReasoningReplay[] = [];
  readonly callIds: string[] = [];
  private readonly streamedText = new Set<string>();
  /** Per reasoning item, the last summary part that streamed. */
  private readonly summaryPart = new Map<string, number>();
  private done = false;

  constructor(private readonly provider: string) {}

  *push(ev: ResponseStreamEvent): Generator<StreamEvent> {
    switch (ev.type) {
      case "response.output_text.delta":
        this.streamedText.add(ev.item_id);
        if (ev.delta) yield { type: "text-delta", text: ev.delta };
        return;
      case "response.reasoning_summary_text.delta": {
        const last = this.summaryPart.get(ev.item_id);
        if (last !== undefined && ev.summary_index !== last) yield { type: "reasoning-delta", text: "\n\n" };
        this.summaryPart.set(ev.item_id, ev.summary_index);
        if (ev.delta) yield { type: "reasoning-delta", text: ev.delta };
        return;
      }
      case "response.output_item.done":
        yield* this.itemDone(ev.item);
        return;
      case "response.completed":
      case "response.incomplete": {
        this.done = true;
        if (ev.response.usage) yield { type: "usage", usage: toUsage(ev.response.usage) };
        const reason =
          ev.type === "response.incomplete"
            ? incompleteReason(ev.response)
            : this.callIds.length > 0
              ? "tool-calls"
              : "stop";
        yield { type: "finish", reason };
        return;
      }
      case "response.failed": {
        const e = ev.response.error;
        throw streamError(this.provider, e?.code, e?.message);
      }
      case "error":
        throw streamError(this.provider, ev.code, ev.message);
      default:
        return;
    }
  }

  private *itemDone(item: ResponseOutputItem): Generator<StreamEvent> {
    if (item.type === "message") {
      if (this.streamedText.has(item.id)) return;
      const text = item.content.map((c) => (c.type === "output_text" ? c.text : c.refusal)).join("");
      if (text) yield { type: "text-delta", text };
    } else if (item.type === "reasoning") {
      if (item.encrypted_content) {
        this.reasoning.push({
          type: "reasoning",
          summary: item.summary.map((s) => ({ type: "summary_text", text: s.text })),
          encrypted_content: item.encrypted_content,
        });
      }
      const summary = item.summary.map((s) => s.text).join("\n\n");
      if (!this.summaryPart.has(item.id) && summary) yield { type: "reasoning-delta", text: summary };
    } else if (item.type === "function_call") {
      this.callIds.push(item.call_id);
      yield { type: "tool-call", id: item.call_id, name: item.name, args: parseToolArgs(item.arguments) };
    }
  }

  end(): StreamEvent[] {
    if (!this.done) {
      throw new ProviderError(
        `${this.provider}'s stream ended before the answer was complete (no response.completed)`,
        {
          code: "server",
          provider: this.provider,
          hint: "the answer was cut off; ask again",
        },
      );
    }
    return [];
  }
}
