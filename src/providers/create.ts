import { createAnthropicProvider } from "./anthropic.js";
import type { CredentialsGetter } from "./credentials.js";
import { type HttpPolicy, resolveHttpPolicy } from "./http-policy.js";
import { createOpenAIChatProvider } from "./openai-chat.js";
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
}

export const CODEX_UNAVAILABLE =
  "the openai_codex provider is not available yet in this build; use provider openai with an API key";

/** The adapter for a resolved provider. Cheap: SDKs and undici load on the first request. */
export function createProvider(resolved: ResolvedProvider, opts: ProviderOptions = {}): Provider {
  const policy = resolveHttpPolicy(opts.policy);
  let transport: Promise<Transport> | undefined;
  const deps: AdapterDeps = {
    policy,
    log: opts.log,
    transport: () => {
      transport ??= Promise.resolve(createTransport(policy.streamTimeoutMs));
      return transport;
    },
  };
  switch (resolved.spec.wire) {
    case "openai-codex":
      return unavailableProvider(resolved.name, CODEX_UNAVAILABLE);
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
