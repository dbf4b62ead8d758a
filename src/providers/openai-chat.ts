import type OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { classifySdkError } from "./errors.js";
import { ChatChunkAssembler } from "./openai-chunks.js";
import { toChatMessages, toChatTools } from "./openai-messages.js";
import { type AdapterDeps, type AttemptContext, type AttemptFailure, policyStream } from "./policy-stream.js";
import { keyHint, type ResolvedProvider } from "./resolve.js";
import type { ChatRequest, Provider, StreamEvent } from "./types.js";

type OpenAIModule = typeof import("openai");

/** api.openai.com and Azure take max_completion_tokens; most compatible servers only know max_tokens. */
function usesCompletionTokens(r: ResolvedProvider): boolean {
  return r.name === "openai" || r.name === "azure";
}

export function buildChatBody(r: ResolvedProvider, req: ChatRequest): ChatCompletionCreateParamsStreaming {
  const tools = toChatTools(req.tools);
  const body: ChatCompletionCreateParamsStreaming = {
    model: req.model || r.model,
    messages: toChatMessages(req.system, req.messages),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (tools) body.tools = tools;
  if (req.toolChoice) body.tool_choice = { type: "function", function: { name: req.toolChoice.name } };
  if (req.maxTokens !== undefined) {
    if (usesCompletionTokens(r)) body.max_completion_tokens = req.maxTokens;
    else body.max_tokens = req.maxTokens;
  }
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.reasoningEffort !== undefined) body.reasoning_effort = req.reasoningEffort;
  return body;
}

/** OpenAI chat completions, and every server that speaks it (OpenRouter, DeepSeek, Ollama, ...). */
export function createOpenAIChatProvider(r: ResolvedProvider, deps: AdapterDeps): Provider {
  const authHint = `check ${keyHint(r)}`;
  const secrets = [r.apiKey];
  let sdk: OpenAIModule | undefined;
  let client: OpenAI | undefined;

  async function getClient(): Promise<OpenAI> {
    if (client) return client;
    const transport = await deps.transport();
    sdk = await import("openai");
    const headers: Record<string, string | null> = { ...r.extraHeaders };
    if (r.name === "azure" && r.apiKey) headers["api-key"] = r.apiKey;
    // Keyless local servers and proxies: send no Authorization header rather than a made-up key.
    if (!r.apiKey) headers.Authorization = null;
    client = new sdk.default({
      apiKey: r.apiKey ?? "unused",
      baseURL: r.apiBase ?? null,
      maxRetries: 0,
      timeout: deps.policy.streamTimeoutMs + 1000,
      fetch: transport.fetch,
      defaultHeaders: headers,
      ...(r.name === "openai" ? {} : { organization: null, project: null }),
    });
    return client;
  }

  function classify(err: unknown): AttemptFailure {
    return classifySdkError(err, {
      provider: r.name,
      authHint,
      secrets,
      sdk,
      errorBody: (body) => body as { type?: unknown; message?: unknown } | undefined,
    });
  }

  return {
    id: r.name,
    stream(req: ChatRequest, signal?: AbortSignal): AsyncIterable<StreamEvent> {
      const body = buildChatBody(r, req);
      async function* attempt(ctx: AttemptContext): AsyncGenerator<StreamEvent> {
        const c = await getClient();
        const stream = await c.chat.completions.create(body, {
          signal: ctx.signal,
          fetchOptions: ctx.fetchOptions,
          maxRetries: 0,
        });
        ctx.responded();
        const asm = new ChatChunkAssembler();
        for await (const chunk of stream) yield* asm.push(chunk);
        yield* asm.end();
      }
      return policyStream({
        provider: r.name,
        model: body.model,
        policy: deps.policy,
        transport: deps.transport,
        prepare: getClient,
        attempt,
        classify,
        ...(signal ? { signal } : {}),
        ...(deps.log ? { log: deps.log } : {}),
      });
    },
  };
}
