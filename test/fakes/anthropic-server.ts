/** A fake Anthropic Messages server speaking the real SSE wire format. */
import {
  type FakeLlm,
  type FakeLlmOptions,
  type FakeStep,
  fragments,
  type RecordedRequest,
  startFakeLlmServer,
  textChunks,
  type WireFormat,
} from "./sse.js";

export type { FakeLlm, FakeLlmOptions, FakeStep, RecordedRequest } from "./sse.js";
export { bodyOf } from "./sse.js";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function modelOf(req: RecordedRequest): string {
  const m = (req.body as { model?: unknown } | undefined)?.model;
  return typeof m === "string" ? m : "claude-fake";
}

function toolId(step: FakeStep, i: number, req: RecordedRequest): string {
  return step.toolCalls?.[i]?.id ?? `toolu_${req.index}_${i}`;
}

/** The fake's usage is neutral (input counts cached tokens); Anthropic reports them apart. */
function usageJson(step: FakeStep) {
  const u = step.usage ?? { input: 10, output: 5 };
  const cacheRead = u.cacheRead ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  return {
    input_tokens: Math.max(0, u.input - cacheRead - cacheWrite),
    output_tokens: u.output,
    cache_read_input_tokens: cacheRead,
    cache_creation_input_tokens: cacheWrite,
    ...(u.reasoning !== undefined ? { output_tokens_details: { thinking_tokens: u.reasoning } } : {}),
  };
}

function stopReason(step: FakeStep): string {
  return step.toolCalls?.length ? "tool_use" : "end_turn";
}

const sse = (data: { type: string }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

const anthropicWire: WireFormat = {
  chatPath: "/v1/messages",
  frames(step, req) {
    const usage = usageJson(step);
    const out = [
      sse({
        type: "message_start",
        message: {
          id: `msg_fake_${req.index}`,
          type: "message",
          role: "assistant",
          model: modelOf(req),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      } as { type: string }),
      sse({ type: "ping" }),
    ];
    let index = 0;
    const block = (start: object, deltas: object[]) => {
      out.push(sse({ type: "content_block_start", index, content_block: start } as { type: string }));
      for (const d of deltas)
        out.push(sse({ type: "content_block_delta", index, delta: d } as { type: string }));
      out.push(sse({ type: "content_block_stop", index } as { type: string }));
      index++;
    };
    if (step.reasoning) {
      block({ type: "thinking", thinking: "", signature: "" }, [
        ...fragments(step.reasoning, 2).map((t) => ({ type: "thinking_delta", thinking: t })),
        { type: "signature_delta", signature: "fake-signature" },
      ]);
    }
    const text = textChunks(step.text);
    if (text.length)
      block(
        { type: "text", text: "" },
        text.map((t) => ({ type: "text_delta", text: t })),
      );
    (step.toolCalls ?? []).forEach((tc, i) => {
      block(
        { type: "tool_use", id: toolId(step, i, req), name: tc.name, input: {} },
        fragments(JSON.stringify(tc.args ?? {})).map((f) => ({ type: "input_json_delta", partial_json: f })),
      );
    });
    out.push(
      sse({
        type: "message_delta",
        delta: { stop_reason: stopReason(step), stop_sequence: null },
        usage,
      } as { type: string }),
      sse({ type: "message_stop" }),
    );
    return out;
  },
  json(step, req) {
    const content: object[] = [];
    if (step.reasoning)
      content.push({ type: "thinking", thinking: step.reasoning, signature: "fake-signature" });
    const text = textChunks(step.text).join("");
    if (text) content.push({ type: "text", text });
    (step.toolCalls ?? []).forEach((tc, i) => {
      content.push({ type: "tool_use", id: toolId(step, i, req), name: tc.name, input: tc.args ?? {} });
    });
    return {
      id: `msg_fake_${req.index}`,
      type: "message",
      role: "assistant",
      model: modelOf(req),
      content,
      stop_reason: stopReason(step),
      stop_sequence: null,
      usage: usageJson(step),
    };
  },
  errorBody(status) {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
    return JSON.stringify({ type: "error", error: { type, message: `fake error ${status}` } });
  },
};

/** Starts the fake on 127.0.0.1:0. `url` is the root (the SDK appends /v1/messages). */
export function startFakeAnthropic(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  return startFakeLlmServer(opts, anthropicWire, "");
}
