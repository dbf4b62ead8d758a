import type { CredentialsGetter, RequestCredentials } from "./credentials.js";
import { classifySdkError, type SdkErrorClasses, type SdkFailureContext } from "./errors.js";
import {
  type AdapterDeps,
  type AttemptContext,
  type AttemptFailure,
  policyStream,
  sdkLogger,
} from "./policy-stream.js";
import type { Transport } from "./transport.js";
import { type ChatRequest, type Provider, ProviderError, type StreamEvent } from "./types.js";

/**
 * What one wire (Anthropic Messages, OpenAI chat completions, OpenAI Responses) adds to the shared
 * skeleton: how to load its SDK, build a client for a credential, build a body, and read a stream.
 */
export interface WireSpec<Sdk extends SdkErrorClasses, Client, Body extends { model: string }> {
  /** The provider's name, as errors and logs show it. */
  provider: string;
  /** What an auth failure tells the user to check. */
  authHint: string;
  loadSdk(): Promise<Sdk>;
  createClient(sdk: Sdk, creds: RequestCredentials, transport: Transport): Client;
  /** Where the vendor puts its error type and message inside an error body. */
  errorBody: SdkFailureContext["errorBody"];
  body(req: ChatRequest): Body;
  /** One HTTP exchange: sends `body`, calls `ctx.responded()` on headers, yields neutral events. */
  send(client: Client, body: Body, ctx: AttemptContext): AsyncIterable<StreamEvent>;
  /** The wire's own reading of a failure (Codex's usage limit), after the shared classification. */
  refine?(failure: AttemptFailure, err: unknown): AttemptFailure;
}

/** Compares credentials by value: a refresh that returned the same token changed nothing. */
function credentialKey(c: RequestCredentials): string {
  const headers = Object.entries(c.headers ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([c.apiKey ?? null, c.bearer ?? null, headers]);
}

/** "<what is wrong>: run ..." (or "; set ...", "use ...", "re-run ..."): the getter's own fix line. */
const FIX_LINE = /^(.+?)[:;] ((?:re-run|run|use|set) .+)$/s;

/**
 * A getter that failed (no login, a refresh the server refused): one auth error. The getter's line
 * already says what to do, so that part becomes the hint (a missing login names its login command,
 * not a generic one); a line with no fix in it keeps the front-end's generic hint.
 */
function credentialsError(provider: string, err: unknown): ProviderError {
  const line = err instanceof Error ? err.message : String(err);
  const fix = FIX_LINE.exec(line);
  const [message, hint] = fix ? [fix[1] as string, fix[2] as string] : [line, undefined];
  return new ProviderError(message, { code: "auth", provider, cause: err, ...(hint ? { hint } : {}) });
}

const isUnauthorized = (ev: StreamEvent) => ev.type === "error" && ev.error.status === 401;

/**
 * The skeleton every wire adapter shares. Per request it asks the getter for credentials and uses a
 * client built for exactly those (rebuilt only when they change, so a token rotated on disk is
 * picked up by the next request), scrubs them from errors, and runs the exchange under the HTTP
 * policy. A 401 asks the getter once more with `forceRefresh`; if that yields a different
 * credential the request is sent once more, else the 401 stands.
 */
export function createWireProvider<Sdk extends SdkErrorClasses, Client, Body extends { model: string }>(
  spec: WireSpec<Sdk, Client, Body>,
  deps: AdapterDeps,
  credentials: CredentialsGetter,
): Provider {
  let sdk: Sdk | undefined;
  let cached: { key: string; client: Client } | undefined;
  // Started now for a one-shot; a failure is the first request's to report (and a later one retries).
  let early = deps.eager ? spec.loadSdk() : undefined;
  early?.catch(() => {});
  const loadSdk = () => {
    const load = early ?? spec.loadSdk();
    early = undefined;
    return load;
  };

  async function clientFor(creds: RequestCredentials): Promise<Client> {
    const key = credentialKey(creds);
    if (cached?.key === key) return cached.client;
    const transport = await deps.transport();
    sdk ??= await loadSdk();
    cached = { key, client: spec.createClient(sdk, creds, transport) };
    return cached.client;
  }

  function exchange(body: Body, creds: RequestCredentials, signal: AbortSignal | undefined) {
    let client: Client | undefined;
    const secrets = [creds.apiKey, creds.bearer];
    const classify = (err: unknown): AttemptFailure => {
      if (err instanceof ProviderError) return { error: err };
      const failure = classifySdkError(err, {
        provider: spec.provider,
        authHint: spec.authHint,
        secrets,
        sdk,
        errorBody: spec.errorBody,
      });
      return spec.refine ? spec.refine(failure, err) : failure;
    };
    return policyStream({
      provider: spec.provider,
      model: body.model,
      policy: deps.policy,
      transport: deps.transport,
      prepare: async () => {
        client = await clientFor(creds);
      },
      attempt: (ctx) => spec.send(client as Client, body, ctx),
      classify,
      ...(signal ? { signal } : {}),
      ...(deps.log ? { log: deps.log } : {}),
    });
  }

  return {
    id: spec.provider,
    async *stream(req: ChatRequest, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
      const body = spec.body(req);
      let previous: string | undefined;
      let unauthorized: StreamEvent | undefined;
      for (let round = 0; round < 2; round++) {
        let creds: RequestCredentials;
        try {
          creds = await credentials({
            ...(round > 0 ? { forceRefresh: true } : {}),
            ...(signal ? { signal } : {}),
          });
        } catch (err) {
          const error = signal?.aborted
            ? new ProviderError("request aborted", { code: "aborted", provider: spec.provider })
            : credentialsError(spec.provider, err);
          yield { type: "error", error, retryable: false };
          return;
        }
        const key = credentialKey(creds);
        if (unauthorized && key === previous) {
          yield unauthorized;
          return;
        }
        if (unauthorized)
          deps.log?.(`provider=${spec.provider} credential refreshed after 401; retrying once`);
        previous = key;
        unauthorized = undefined;
        for await (const ev of exchange(body, creds, signal)) {
          if (round === 0 && isUnauthorized(ev)) {
            unauthorized = ev;
            break;
          }
          yield ev;
        }
        if (!unauthorized) return;
      }
    },
  };
}

/**
 * The client options every SDK client shares: our transport, our timeouts, never the SDK's retries,
 * and the SDK's log lines into kavilo's log.
 */
export function sdkClientOptions(
  apiBase: string | undefined,
  deps: AdapterDeps,
  transport: Transport,
  headers: Record<string, string | null>,
) {
  return {
    baseURL: apiBase ?? null,
    maxRetries: 0,
    timeout: deps.policy.streamTimeoutMs + 1000,
    fetch: transport.fetch,
    logger: sdkLogger(deps.log),
    defaultHeaders: headers,
  };
}

/** The per-request options of one attempt: its signal, its connection, no SDK retry. */
export function attemptOptions(ctx: AttemptContext) {
  return { signal: ctx.signal, fetchOptions: ctx.fetchOptions, maxRetries: 0 };
}

/** How a wire folds its SDK's stream items into neutral events. */
export interface EventAssembler<Item> {
  push(item: Item): Iterable<StreamEvent>;
  end(): Iterable<StreamEvent>;
}

/** Opens the stream, marks the response as arrived, and folds every item through the assembler. */
export async function* assembleStream<Item>(
  ctx: AttemptContext,
  open: () => Promise<AsyncIterable<Item>>,
  asm: EventAssembler<Item>,
): AsyncGenerator<StreamEvent> {
  const stream = await open();
  ctx.responded();
  for await (const item of stream) yield* asm.push(item);
  yield* asm.end();
}
