import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { parseToolArgs } from "./tool-args.js";
import type { FinishReason, StreamEvent, Usage } from "./types.js";

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

function finishReason(raw: string | null | undefined, hasCalls: boolean): FinishReason {
  // Some servers (Ollama, older vLLM) say "stop" while returning tool calls.
  if (hasCalls && (raw === "stop" || raw == null || raw === "tool_calls" || raw === "function_call"))
    return "tool-calls";
  switch (raw) {
    case "stop":
    case null:
    case undefined:
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content-filter";
    default:
      return "other";
  }
}

/** DeepSeek and others stream reasoning as `reasoning_content`; OpenRouter as `reasoning`. */
function reasoningOf(delta: object): string | undefined {
  const d = delta as { reasoning_content?: unknown; reasoning?: unknown };
  if (typeof d.reasoning_content === "string" && d.reasoning_content) return d.reasoning_content;
  if (typeof d.reasoning === "string" && d.reasoning) return d.reasoning;
  return undefined;
}

/**
 * Folds chat-completion chunks into neutral events. Text and reasoning pass through at once;
 * tool calls (whose arguments arrive in fragments keyed by index), usage and the finish reason
 * come out at the end, because the usage chunk follows the one carrying finish_reason.
 */
export class ChatChunkAssembler {
  private readonly calls = new Map<number, PendingCall>();
  private lastIndex = -1;
  private finish: string | null | undefined;
  private usage: Usage | undefined;

  push(chunk: ChatCompletionChunk): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (chunk.usage) this.usage = toUsage(chunk.usage);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      const reasoning = reasoningOf(delta);
      if (reasoning) out.push({ type: "reasoning-delta", text: reasoning });
      if (typeof delta.content === "string" && delta.content)
        out.push({ type: "text-delta", text: delta.content });
      for (const tc of delta.tool_calls ?? []) this.addCallDelta(tc);
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    return out;
  }

  private addCallDelta(tc: NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number]): void {
    // Gemini's endpoint has been seen to omit `index`: a new id then means a new call.
    let index = typeof tc.index === "number" ? tc.index : this.lastIndex;
    if (typeof tc.index !== "number" && (tc.id || index < 0)) index = this.lastIndex + 1;
    this.lastIndex = Math.max(this.lastIndex, index);
    let call = this.calls.get(index);
    if (!call) {
      call = { id: "", name: "", args: "" };
      this.calls.set(index, call);
    }
    if (tc.id) call.id = tc.id;
    if (tc.function?.name) call.name += tc.function.name;
    if (tc.function?.arguments) call.args += tc.function.arguments;
  }

  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    const sorted = [...this.calls.entries()].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([index, c]) => {
      out.push({ type: "tool-call", id: c.id || `call_${index}`, name: c.name, args: parseToolArgs(c.args) });
    });
    if (this.usage) out.push({ type: "usage", usage: this.usage });
    // No finish_reason: the stream was cut off; policyStream reports it as incomplete.
    if (this.finish) out.push({ type: "finish", reason: finishReason(this.finish, sorted.length > 0) });
    return out;
  }
}

function toUsage(u: NonNullable<ChatCompletionChunk["usage"]>): Usage {
  const usage: Usage = { input: u.prompt_tokens ?? 0, output: u.completion_tokens ?? 0 };
  const reasoning = u.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === "number") usage.reasoning = reasoning;
  const cached = u.prompt_tokens_details?.cached_tokens;
  if (typeof cached === "number") usage.cacheRead = cached;
  return usage;
}
