/**
 * A fake Codex backend (`https://chatgpt.com/backend-api/codex`) speaking the OpenAI Responses SSE
 * stream: text, reasoning summaries with encrypted content, function calls, `response.completed`
 * usage, `response.failed`, a 429 `usage_limit_reached`, and a stream cut before
 * `response.completed`. Like the real backend it refuses what it does not take: a missing bearer or
 * account header (401), `store` other than false, missing `instructions`, sampling or token limits,
 * and a `function_call_output` whose `call_id` has no `function_call` before it (400).
 */
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

export type { FakeLlm, RecordedRequest } from "./sse.js";

export interface CodexStep extends FakeStep {
  /** End with `response.failed` carrying this error instead of `response.completed`. */
  failed?: { code: string; message: string };
  /** Send everything but `response.completed`, then end the stream cleanly. */
  cutBeforeCompleted?: boolean;
  /** End with an `error` event (`event: error`) instead of `response.completed`. */
  streamError?: { code: string; message: string };
}

export interface FakeCodexOptions {
  steps?: CodexStep[];
  respond?: (req: RecordedRequest, index: number) => CodexStep;
  /** Which bearer tokens the backend takes; others get a 401. Default: any non-empty one. */
  acceptsBearer?: (token: string) => boolean;
}

/** The base path, like the real backend's: requests go to <url>/responses. */
export const CODEX_BASE_PATH = "/backend-api/codex";

const UNSUPPORTED = ["max_output_tokens", "temperature", "top_p", "frequency_penalty", "presence_penalty"];

/** The 429 body the backend sends when the subscription's limit is used up. */
export function usageLimitBody(plan: string, resetsAt: Date): string {
  return JSON.stringify({
    error: {
      type: "usage_limit_reached",
      message: "The usage limit has been reached",
      plan_type: plan,
      resets_at: Math.floor(resetsAt.getTime() / 1000),
      resets_in_seconds: Math.max(0, Math.round((resetsAt.getTime() - Date.now()) / 1000)),
    },
  });
}

const errorJson = (message: string, type: string, code: string | null = null) =>
  JSON.stringify({ error: { message, type, param: null, code } });

type Body = Record<string, unknown> & { input?: Array<Record<string, unknown>> };

/** What the real backend would refuse in this request, as the step that refuses it. */
function refusal(req: RecordedRequest, acceptsBearer: (t: string) => boolean): CodexStep | undefined {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (!bearer || !acceptsBearer(bearer)) {
    return {
      fault: {
        status: 401,
        body: errorJson("Your authentication token has expired.", "invalid_request_error", "token_expired"),
      },
    };
  }
  const bad = (message: string): CodexStep => ({
    fault: { status: 400, body: errorJson(message, "invalid_request_error") },
  });
  if (!req.headers["chatgpt-account-id"]) return bad("Missing ChatGPT-Account-ID header");
  const body = req.body as Body;
  if (typeof body.instructions !== "string") return bad("Instructions are required");
  if (body.store !== false) return bad("Store must be set to false");
  if (body.stream !== true) return bad("Stream must be set to true");
  const unsupported = UNSUPPORTED.find((k) => k in body);
  if (unsupported) return bad(`Unsupported parameter: ${unsupported}`);
  const calls = new Set<unknown>();
  for (const item of body.input ?? []) {
    if (item.type === "function_call") calls.add(item.call_id);
    if (item.type === "function_call_output" && !calls.has(item.call_id)) {
      return bad(`No tool call found for function call output with call_id ${String(item.call_id)}.`);
    }
  }
  return undefined;
}

const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

function usageJson(step: FakeStep) {
  const u = step.usage ?? { input: 10, output: 5 };
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cacheRead ?? 0 },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.input + u.output,
  };
}

function frames(step: CodexStep, req: RecordedRequest): string[] {
  const rid = `resp_${req.index}`;
  const response = (status: string, extra: object = {}) => ({
    id: rid,
    object: "response",
    status,
    ...extra,
  });
  const out = [sse("response.created", { response: response("in_progress") })];
  let index = 0;
  if (step.reasoning) {
    const id = `rs_${req.index}`;
    const item = { type: "reasoning", id, summary: [] };
    out.push(sse("response.output_item.added", { output_index: index, item }));
    out.push(
      sse("response.reasoning_summary_part.added", {
        item_id: id,
        output_index: index,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      }),
    );
    for (const d of fragments(step.reasoning, 2)) {
      out.push(
        sse("response.reasoning_summary_text.delta", {
          item_id: id,
          output_index: index,
          summary_index: 0,
          delta: d,
        }),
      );
    }
    const done = {
      ...item,
      summary: [{ type: "summary_text", text: step.reasoning }],
      encrypted_content: `enc-${req.index}`,
    };
    out.push(sse("response.output_item.done", { output_index: index++, item: done }));
  }
  const text = textChunks(step.text);
  if (text.length > 0) {
    const id = `msg_${req.index}`;
    const item = { type: "message", id, role: "assistant", status: "in_progress", content: [] };
    out.push(sse("response.output_item.added", { output_index: index, item }));
    for (const d of text) {
      out.push(
        sse("response.output_text.delta", { item_id: id, output_index: index, content_index: 0, delta: d }),
      );
    }
    const content = [{ type: "output_text", text: text.join(""), annotations: [] }];
    out.push(
      sse("response.output_item.done", {
        output_index: index++,
        item: { ...item, status: "completed", content },
      }),
    );
  }
  (step.toolCalls ?? []).forEach((tc, i) => {
    const item = {
      type: "function_call",
      id: `fc_${req.index}_${i}`,
      call_id: tc.id ?? `call_${req.index}_${i}`,
      name: tc.name,
    };
    const args = JSON.stringify(tc.args ?? {});
    out.push(sse("response.output_item.added", { output_index: index, item: { ...item, arguments: "" } }));
    for (const f of fragments(args)) {
      out.push(
        sse("response.function_call_arguments.delta", { item_id: item.id, output_index: index, delta: f }),
      );
    }
    out.push(
      sse("response.output_item.done", {
        output_index: index++,
        item: { ...item, arguments: args, status: "completed" },
      }),
    );
  });
  if (step.streamError) out.push(sse("error", { ...step.streamError, param: null }));
  else if (step.failed)
    out.push(sse("response.failed", { response: response("failed", { error: step.failed }) }));
  else if (!step.cutBeforeCompleted)
    out.push(sse("response.completed", { response: response("completed", { usage: usageJson(step) }) }));
  return out;
}

const codexWire: WireFormat = {
  chatPath: `${CODEX_BASE_PATH}/responses`,
  frames: (step, req) => frames(step as CodexStep, req),
  json: () => ({}),
  errorBody: (status) =>
    errorJson(`fake error ${status}`, status >= 500 ? "server_error" : "invalid_request_error"),
};

/** Starts the fake on 127.0.0.1:0. `url` ends in /backend-api/codex, ready to be an apiBase. */
export function startFakeCodex(opts: FakeCodexOptions = {}): Promise<FakeLlm> {
  const accepts = opts.acceptsBearer ?? ((t: string) => t.length > 0);
  const scripted = (req: RecordedRequest, i: number): CodexStep => {
    if (opts.respond) return opts.respond(req, i);
    const steps = opts.steps ?? [];
    return steps[Math.min(i, steps.length - 1)] ?? { text: "ok" };
  };
  let answered = 0;
  const llmOpts: FakeLlmOptions = {
    // A refused request does not use up a scripted step, as a real server would not have run it.
    respond: (req) => refusal(req, accepts) ?? scripted(req, answered++),
  };
  return startFakeLlmServer(llmOpts, codexWire, CODEX_BASE_PATH);
}
