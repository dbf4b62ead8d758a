import type OpenAI from "openai";
import type { ResponseCreateParamsStreaming } from "openai/resources/responses/responses";
import { assembleStream, attemptOptions, createWireProvider, sdkClientOptions } from "./adapter.js";
import { isUsageLimit, type UsageLimitBody, usageLimitFailure } from "./codex-usage-limit.js";
import type { CredentialsGetter, RequestCredentials } from "./credentials.js";
import type { AdapterDeps, AttemptFailure } from "./policy-stream.js";
import type { ResolvedProvider } from "./resolve.js";
import { ResponsesEventAssembler, responsesErrorCode } from "./responses-events.js";
import {
  promptCacheKey,
  type ReasoningReplay,
  type ResponsesFunctionTool,
  type ResponsesInputItem,
  toResponsesInput,
  toResponsesTools,
} from "./responses-input.js";
import type { Transport } from "./transport.js";
import { type ChatRequest, type Provider, ProviderError, type ReasoningEffort } from "./types.js";

type OpenAIModule = typeof import("openai");

/** What the Codex backend accepts. No max_output_tokens, temperature, top_p or penalties: it answers 400. */
export interface ResponsesBody {
  model: string;
  instructions: string;
  input: ResponsesInputItem[];
  tools?: ResponsesFunctionTool[];
  /** "auto", or one named function the model must call (the Responses API's function tool choice). */
  tool_choice: "auto" | { type: "function"; name: string };
  parallel_tool_calls: true;
  store: false;
  stream: true;
  include: ["reasoning.encrypted_content"];
  reasoning: { effort?: ReasoningEffort; summary: "auto" };
  prompt_cache_key: string;
}

export function buildResponsesBody(
  r: ResolvedProvider,
  req: ChatRequest,
  reasoningFor?: (callIds: string[]) => ReasoningReplay[],
): ResponsesBody {
  const model = req.model || r.model;
  const input = toResponsesInput(req.messages, reasoningFor);
  const tools = toResponsesTools(req.tools);
  return {
    model,
    // The backend requires instructions, even empty ones.
    instructions: req.system ?? "",
    input,
    ...(tools ? { tools } : {}),
    tool_choice: req.toolChoice ? { type: "function", name: req.toolChoice.name } : "auto",
    parallel_tool_calls: true,
    store: false,
    stream: true,
    include: ["reasoning.encrypted_content"],
    reasoning: { ...(req.reasoningEffort ? { effort: req.reasoningEffort } : {}), summary: "auto" },
    prompt_cache_key: promptCacheKey(model, tools, input),
  };
}

/**
 * The reasoning items each response came with, by the call ids it made, so the next request of the
 * turn sends them back before those calls (with `store: false` the server has not kept them).
 * Bounded: only the latest responses matter.
 */
export class ReasoningMemory {
  private readonly byCall = new Map<string, ReasoningReplay[]>();
  constructor(private readonly max = 256) {}

  remember(callIds: string[], items: ReasoningReplay[]): void {
    if (items.length === 0 || callIds.length === 0) return;
    for (const id of callIds) this.byCall.set(id, items);
    while (this.byCall.size > this.max) {
      const oldest = this.byCall.keys().next().value;
      if (oldest === undefined) break;
      this.byCall.delete(oldest);
    }
  }

  /** Each remembered group once, in order, for the calls of one assistant message. */
  recall(callIds: string[]): ReasoningReplay[] {
    const groups = new Set<ReasoningReplay[]>();
    for (const id of callIds) {
      const g = this.byCall.get(id);
      if (g) groups.add(g);
    }
    return [...groups].flat();
  }
}

function createResponsesClient(
  sdk: OpenAIModule,
  r: ResolvedProvider,
  deps: AdapterDeps,
  creds: RequestCredentials,
  transport: Transport,
): OpenAI {
  const headers: Record<string, string | null> = {
    ...r.extraHeaders,
    ...creds.headers,
    "OpenAI-Beta": "responses=experimental",
    // kavilo's own name: it does not present itself as Codex.
    originator: "kavilo",
  };
  return new sdk.default({
    apiKey: creds.bearer ?? creds.apiKey ?? "",
    ...sdkClientOptions(r.apiBase ?? r.spec.defaultApiBase, deps, transport, headers),
    organization: null,
    project: null,
  });
}

export interface ResponsesOptions {
  /** The user's time zone, for the reset time of a usage limit. */
  timezone?: string | undefined;
}

/** OpenAI Responses on the Codex backend (`provider: "openai_codex"`, a ChatGPT subscription). */
export function createOpenAIResponsesProvider(
  r: ResolvedProvider,
  deps: AdapterDeps,
  credentials: CredentialsGetter,
  opts: ResponsesOptions = {},
): Provider {
  const memory = new ReasoningMemory();
  const refine = (failure: AttemptFailure, err: unknown): AttemptFailure => {
    const api = err as { status?: unknown; error?: unknown } | undefined;
    const body = (api?.error ?? undefined) as (UsageLimitBody & { code?: unknown }) | undefined;
    const status = typeof api?.status === "number" ? api.status : undefined;
    if (body && isUsageLimit(body))
      return usageLimitFailure(r.name, body, { status, timezone: opts.timezone });
    // An `error` event inside the stream (no HTTP status): classified by its Responses code.
    if (status === undefined && typeof body?.code === "string" && failure.error.code === "unknown") {
      const code = responsesErrorCode(body.code);
      const e = failure.error;
      return {
        ...failure,
        error: new ProviderError(e.message, { code, provider: e.provider, cause: e.cause }),
      };
    }
    return failure;
  };
  return createWireProvider(
    {
      provider: r.name,
      authHint: "re-run `codex login` and retry",
      loadSdk: () => import("openai"),
      createClient: (sdk, creds, transport) => createResponsesClient(sdk, r, deps, creds, transport),
      errorBody: (body) => {
        const b = body as { type?: unknown; code?: unknown; message?: unknown } | undefined;
        return b ? { type: b.code ?? b.type, message: b.message } : undefined;
      },
      refine,
      body: (req) => buildResponsesBody(r, req, (ids) => memory.recall(ids)),
      async *send(client, body, ctx) {
        const asm = new ResponsesEventAssembler(r.name);
        const options = { ...attemptOptions(ctx), headers: { session_id: body.prompt_cache_key } };
        // Our body type is narrower than the SDK's (no ids on replayed items, which store:false forbids).
        const params = body as unknown as ResponseCreateParamsStreaming;
        yield* assembleStream(ctx, () => client.responses.create(params, options), asm);
        memory.remember(asm.callIds, asm.reasoning);
      },
    },
    deps,
    credentials,
  );
}
