/**
 * Credentials reach a provider per request, never captured once: a token rotated on disk (by a
 * refresher, another process or `codex`) is used by the next request without a restart. The
 * composition root builds the getter (from config, env or `src/auth/<vendor>`); providers never import auth.
 */
export interface RequestCredentials {
  /** A developer API key (x-api-key / Authorization: Bearer for OpenAI-compatible APIs). */
  apiKey?: string;
  /** An OAuth access token sent as `Authorization: Bearer` (Codex, Claude OAuth). */
  bearer?: string;
  /** Extra headers that belong to the credential (ChatGPT-Account-ID, anthropic-beta). */
  headers?: Record<string, string>;
}

export interface CredentialsRequest {
  /**
   * The server just answered 401 to the credential this getter returned last: refresh it once
   * (under the token store's lock) before returning. A getter that cannot refresh returns the same.
   */
  forceRefresh?: boolean;
  signal?: AbortSignal;
}

export type CredentialsGetter = (req?: CredentialsRequest) => Promise<RequestCredentials>;

/** A getter over a fixed key (config or env), for the providers that use one. */
export function staticCredentials(apiKey: string | undefined): CredentialsGetter {
  const creds: RequestCredentials = apiKey ? { apiKey } : {};
  return async () => creds;
}
