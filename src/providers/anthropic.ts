import type Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsStreaming } from "@anthropic-ai/sdk/resources/messages";
import { assembleStream, attemptOptions, createWireProvider, sdkClientOptions } from "./adapter.js";
import { AnthropicEventAssembler } from "./anthropic-events.js";
import { toAnthropicMessages, toAnthropicSystem, toAnthropicTools } from "./anthropic-messages.js";
import { type CredentialsGetter, type RequestCredentials, staticCredentials } from "./credentials.js";
import type { AdapterDeps } from "./policy-stream.js";
import { keyHint, type ResolvedProvider } from "./resolve.js";
import type { Transport } from "./transport.js";
import type { ChatRequest, Provider } from "./types.js";

type AnthropicModule = typeof import("@anthropic-ai/sdk");

/** The Messages API requires max_tokens; used when the request names none. */
const DEFAULT_MAX_TOKENS = 8192;

/** Claude subscription OAuth access tokens, as opposed to console API keys. */
function isOAuthToken(key: string): boolean {
  return key.startsWith("sk-ant-oat");
}

export function buildAnthropicBody(r: ResolvedProvider, req: ChatRequest): MessageCreateParamsStreaming {
  const body: MessageCreateParamsStreaming = {
    model: req.model || r.model,
    max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
    messages: toAnthropicMessages(req.messages),
    stream: true,
  };
  const system = toAnthropicSystem(req.system);
  if (system) body.system = system;
  const tools = toAnthropicTools(req.tools);
  if (tools) body.tools = tools;
  if (req.toolChoice) body.tool_choice = { type: "tool", name: req.toolChoice.name };
  // temperature is deprecated in the Messages API this SDK speaks, so it is not sent.
  return body;
}

/** Joins anthropic-beta values from several sources, each once. */
function betaHeader(...values: (string | undefined)[]): string | undefined {
  const parts = values.flatMap((v) => (v ?? "").split(",")).map((v) => v.trim());
  const unique = [...new Set(parts.filter(Boolean))];
  return unique.length > 0 ? unique.join(",") : undefined;
}

function createAnthropicClient(
  sdk: AnthropicModule,
  r: ResolvedProvider,
  deps: AdapterDeps,
  creds: RequestCredentials,
  transport: Transport,
): Anthropic {
  const key = creds.apiKey ?? "";
  // A bearer from the getter (Claude OAuth), or a subscription token pasted as a key.
  const bearer = creds.bearer ?? (isOAuthToken(key) ? key : undefined);
  const headers: Record<string, string | null> = { ...r.extraHeaders, ...creds.headers };
  // A keyless proxy (createProvider allows one only off Anthropic's host): no credential header at all.
  if (!key && !bearer) {
    headers.Authorization = null;
    headers["x-api-key"] = null;
  }
  const beta = betaHeader(
    r.extraHeaders["anthropic-beta"],
    creds.headers?.["anthropic-beta"],
    isOAuthToken(key) ? "oauth-2025-04-20" : undefined,
  );
  if (beta) headers["anthropic-beta"] = beta;
  return new sdk.default({
    // Always explicit, so the SDK never goes looking for credentials in env or profile files.
    // Keyless: a placeholder keeps the SDK off its default credential chain; the null Authorization
    // header above keeps it off the wire.
    ...(bearer ? { authToken: bearer, apiKey: null } : { apiKey: key || "unused", authToken: null }),
    ...sdkClientOptions(r.apiBase, deps, transport, headers),
  });
}

export function createAnthropicProvider(
  r: ResolvedProvider,
  deps: AdapterDeps,
  credentials: CredentialsGetter = staticCredentials(r.apiKey),
): Provider {
  return createWireProvider(
    {
      provider: r.name,
      authHint: `check ${keyHint(r)} (or run kavilo auth claude login)`,
      loadSdk: () => import("@anthropic-ai/sdk"),
      createClient: (sdk, creds, transport) => createAnthropicClient(sdk, r, deps, creds, transport),
      // Anthropic nests it: {"type":"error","error":{"type":"overloaded_error","message":...}}
      errorBody: (body) => (body as { error?: { type?: unknown; message?: unknown } } | undefined)?.error,
      body: (req) => buildAnthropicBody(r, req),
      send: (client, body, ctx) =>
        assembleStream(
          ctx,
          () => client.messages.create(body, attemptOptions(ctx)),
          new AnthropicEventAssembler(),
        ),
    },
    deps,
    credentials,
  );
}
