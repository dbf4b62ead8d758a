import type OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { assembleStream, attemptOptions, createWireProvider, sdkClientOptions } from "./adapter.js";
import { type CredentialsGetter, type RequestCredentials, staticCredentials } from "./credentials.js";
import { ChatChunkAssembler } from "./openai-chunks.js";
import { toChatMessages, toChatTools } from "./openai-messages.js";
import type { AdapterDeps } from "./policy-stream.js";
import { keyHint, type ResolvedProvider } from "./resolve.js";
import type { Transport } from "./transport.js";
import type { ChatRequest, Provider } from "./types.js";

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

function createChatClient(
  sdk: OpenAIModule,
  r: ResolvedProvider,
  deps: AdapterDeps,
  creds: RequestCredentials,
  transport: Transport,
): OpenAI {
  const key = creds.apiKey ?? creds.bearer;
  const headers: Record<string, string | null> = { ...r.extraHeaders, ...creds.headers };
  if (r.name === "azure" && key) headers["api-key"] = key;
  // Keyless local servers and proxies: send no Authorization header rather than a made-up key.
  if (!key) headers.Authorization = null;
  return new sdk.default({
    apiKey: key ?? "unused",
    ...sdkClientOptions(r.apiBase, deps, transport, headers),
    ...(r.name === "openai" ? {} : { organization: null, project: null }),
  });
}

/** OpenAI chat completions, and every server that speaks it (OpenRouter, DeepSeek, Ollama, ...). */
export function createOpenAIChatProvider(
  r: ResolvedProvider,
  deps: AdapterDeps,
  credentials: CredentialsGetter = staticCredentials(r.apiKey),
): Provider {
  return createWireProvider(
    {
      provider: r.name,
      authHint: `check ${keyHint(r)}`,
      loadSdk: () => import("openai"),
      createClient: (sdk, creds, transport) => createChatClient(sdk, r, deps, creds, transport),
      errorBody: (body) => body as { type?: unknown; message?: unknown } | undefined,
      body: (req) => buildChatBody(r, req),
      send: (client, body, ctx) =>
        assembleStream(
          ctx,
          () => client.chat.completions.create(body, attemptOptions(ctx)),
          new ChatChunkAssembler(),
        ),
    },
    deps,
    credentials,
  );
}
