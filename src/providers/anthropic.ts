import type Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsStreaming } from "@anthropic-ai/sdk/resources/messages";
import { AnthropicEventAssembler } from "./anthropic-events.js";
import { toAnthropicMessages, toAnthropicSystem, toAnthropicTools } from "./anthropic-messages.js";
import { classifySdkError } from "./errors.js";
import { type AdapterDeps, type AttemptContext, type AttemptFailure, policyStream } from "./policy-stream.js";
import { keyHint, type ResolvedProvider } from "./resolve.js";
import type { ChatRequest, Provider, StreamEvent } from "./types.js";

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

export function createAnthropicProvider(r: ResolvedProvider, deps: AdapterDeps): Provider {
  const authHint = `check ${keyHint(r)} (or run kavilo auth claude login)`;
  const secrets = [r.apiKey];
  let sdk: AnthropicModule | undefined;
  let client: Anthropic | undefined;

  async function getClient(): Promise<Anthropic> {
    if (client) return client;
    const transport = await deps.transport();
    sdk = await import("@anthropic-ai/sdk");
    const key = r.apiKey ?? "";
    const oauth = isOAuthToken(key);
    const headers: Record<string, string | null> = { ...r.extraHeaders };
    // A keyless proxy (createProvider allows one only off Anthropic's host): no credential header at all.
    if (!key) {
      headers.Authorization = null;
      headers["x-api-key"] = null;
    }
    if (oauth)
      headers["anthropic-beta"] = [headers["anthropic-beta"], "oauth-2025-04-20"].filter(Boolean).join(",");
    client = new sdk.default({
      // Always explicit, so the SDK never goes looking for credentials in env or profile files.
      // Keyless: a placeholder keeps the SDK off its default credential chain; the null Authorization
      // header above keeps it off the wire.
      ...(oauth ? { authToken: key, apiKey: null } : { apiKey: key || "unused", authToken: null }),
      baseURL: r.apiBase ?? null,
      maxRetries: 0,
      timeout: deps.policy.streamTimeoutMs + 1000,
      fetch: transport.fetch,
      defaultHeaders: headers,
    });
    return client;
  }

  function classify(err: unknown): AttemptFailure {
    return classifySdkError(err, {
      provider: r.name,
      authHint,
      secrets,
      sdk,
      // Anthropic nests it: {"type":"error","error":{"type":"overloaded_error","message":...}}
      errorBody: (body) => (body as { error?: { type?: unknown; message?: unknown } } | undefined)?.error,
    });
  }

  return {
    id: r.name,
    stream(req: ChatRequest, signal?: AbortSignal): AsyncIterable<StreamEvent> {
      const body = buildAnthropicBody(r, req);
      async function* attempt(ctx: AttemptContext): AsyncGenerator<StreamEvent> {
        const c = await getClient();
        const stream = await c.messages.create(body, {
          signal: ctx.signal,
          fetchOptions: ctx.fetchOptions,
          maxRetries: 0,
        });
        ctx.responded();
        const asm = new AnthropicEventAssembler();
        for await (const ev of stream) yield* asm.push(ev);
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
