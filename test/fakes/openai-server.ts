/** A fake OpenAI chat-completions server speaking the real SSE wire format. */
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
export { bodyOf, lastUserText } from "./sse.js";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  403: "permission_denied",
  404: "not_found_error",
  429: "rate_limit_exceeded",
};

function modelOf(req: RecordedRequest): string {
  const m = (req.body as { model?: unknown } | undefined)?.model;
  return typeof m === "string" ? m : "fake-model";
}

function wantsUsage(req: RecordedRequest): boolean {
  const so = (req.body as { stream_options?: { include_usage?: unknown } } | undefined)?.stream_options;
  return so?.include_usage === true;
}

function callId(step: FakeStep, i: number, req: RecordedRequest): string {
  return step.toolCalls?.[i]?.id ?? `call_${req.index}_${i}`;
}

function usageJson(step: FakeStep) {
  const u = step.usage ?? { input: 10, output: 5 };
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
  };
}

function finish(step: FakeStep): string {
  return step.toolCalls?.length ? "tool_calls" : "stop";
}

const openaiWire = (opts: FakeLlmOptions): WireFormat => ({
  chatPath: "/v1/chat/completions",
  frames(step, req) {
    const base = {
      id: `chatcmpl-fake-${req.index}`,
      object: "chat.completion.chunk",
      created: 1,
      model: modelOf(req),
    };
    const chunk = (delta: object, finishReason: string | null = null) =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
    const out = [chunk({ role: "assistant", content: "" })];
    for (const r of step.reasoning ? fragments(step.reasoning, 2) : [])
      out.push(chunk({ reasoning_content: r }));
    for (const t of textChunks(step.text)) out.push(chunk({ content: t }));
    (step.toolCalls ?? []).forEach((tc, i) => {
      const head = {
        index: i,
        id: callId(step, i, req),
        type: "function",
        function: { name: tc.name, arguments: "" },
      };
      out.push(chunk({ tool_calls: [head] }));
      for (const f of fragments(JSON.stringify(tc.args ?? {}))) {
        out.push(chunk({ tool_calls: [{ index: i, function: { arguments: f } }] }));
      }
    });
    out.push(chunk({}, finish(step)));
    if (wantsUsage(req))
      out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: usageJson(step) })}\n\n`);
    out.push("data: [DONE]\n\n");
    return out;
  },
  json(step, req) {
    const calls = (step.toolCalls ?? []).map((tc, i) => ({
      id: callId(step, i, req),
      type: "function",
      function: { name: tc.name, arguments: JSON.stringify(tc.args ?? {}) },
    }));
    return {
      id: `chatcmpl-fake-${req.index}`,
      object: "chat.completion",
      created: 1,
      model: modelOf(req),
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: textChunks(step.text).join("") || null,
            ...(step.reasoning ? { reasoning_content: step.reasoning } : {}),
            ...(calls.length ? { tool_calls: calls } : {}),
          },
          finish_reason: finish(step),
        },
      ],
      usage: usageJson(step),
    };
  },
  errorBody(status) {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? "server_error" : "invalid_request_error");
    return JSON.stringify({ error: { message: `fake error ${status}`, type, param: null, code: null } });
  },
  get(path) {
    if (path === "/v1/models") {
      const ids = opts.models ?? ["fake-model"];
      return {
        object: "list",
        data: ids.map((id) => ({ id, object: "model", created: 1, owned_by: "fake" })),
      };
    }
    if (path === "/api/tags" && opts.ollama) {
      return { models: (opts.models ?? ["llama3.2"]).map((name) => ({ name, model: name })) };
    }
    return undefined;
  },
});

/** Starts the fake on 127.0.0.1:0. `url` ends in /v1, ready to be an apiBase. */
export function startFakeOpenAI(opts: FakeLlmOptions = {}): Promise<FakeLlm> {
  return startFakeLlmServer(opts, openaiWire(opts), "/v1");
}
