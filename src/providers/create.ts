import { createAnthropicProvider } from "./anthropic.js";
import type { CredentialsGetter } from "./credentials.js";
import { type HttpPolicy, resolveHttpPolicy } from "./http-policy.js";
import { createOpenAIChatProvider } from "./openai-chat.js";
import { createOpenAIResponsesProvider } from "./openai-responses.js";
import type { AdapterDeps } from "./policy-stream.js";
import { needsKey, type ResolvedProvider } from "./resolve.js";
import { createTransport, type Transport } from "./transport.js";
import type { Provider } from "./types.js";
import { unavailableProvider } from "./unavailable.js";

export interface ProviderOptions {
  policy?: Partial<HttpPolicy>;
  /** One line per retry or final failure; never contains keys. */
  log?: (line: string) => void;
  /**
   * Asked per request. Defaults to the resolved key (`staticCredentials(resolved.apiKey)`); the
   * composition root passes a refreshing getter for OAuth logins (Codex, Claude).
   */
  credentials?: CredentialsGetter;
  /** The user's time zone (`agents.defaults.timezone`), for times in errors; else the process's. */
  timezone?: string | undefined;
  /**
   * A request follows at once (`agent -m`): the SDK starts loading now, beside the rest of the
   * start-up, instead of at the first request. Not for long-running front-ends (`start`, the TUI),
   * which would hold it in memory before the first message.
   */
  eager?: boolean;
}

/** The adapter for a resolved provider. Cheap: SDKs and undici load on the first request (unless `eager`). */
export function createProvider(resolved: ResolvedProvider, opts: ProviderOptions = {}): Provider {
  const policy = resolveHttpPolicy(opts.policy);
  let transport: Promise<Transport> | undefined;
  const deps: AdapterDeps = {
    policy,
    log: opts.log,
    eager: opts.eager,
    transport: () => {
      transport ??= Promise.resolve(createTransport(policy.streamTimeoutMs));
      return transport;
    },
  };
  switch (resolved.spec.wire) {
    case "openai-codex":
      // The ChatGPT login lives in Codex's auth.json; only the composition root can read it.
      if (!opts.credentials) {
        return unavailableProvider(
          resolved.name,
          "openai_codex has no ChatGPT login to use",
          "auth",
          "run `codex login`, then retry",
        );
      }
      return createOpenAIResponsesProvider(resolved, deps, opts.credentials, { timezone: opts.timezone });
    case "anthropic":
      if (!opts.credentials && !resolved.apiKey && needsKey(resolved)) {
        return unavailableProvider(
          resolved.name,
          "no API key for anthropic",
          "auth",
          "set ANTHROPIC_API_KEY or providers.anthropic.apiKey",
        );
      }
      return createAnthropicProvider(resolved, deps, opts.credentials);
    case "openai-chat":
      if (!resolved.apiBase) {
        return unavailableProvider(
          resolved.name,
          `no API base URL for ${resolved.name}`,
          "bad_request",
          `set providers.${resolved.name}.apiBase`,
        );
      }
      return createOpenAIChatProvider(resolved, deps, opts.credentials);
  }
}
