/**
 * Why the Codex login cannot be used. The message is the one line shown to the user; `kind` lets
 * the refresher tell a skip (no login, API-key mode, no refresh token) from a failure.
 */
export type CodexAuthErrorKind =
  /** No auth.json (or no tokens in it): `codex login`. */
  | "missing"
  /** auth.json holds an API key, not a ChatGPT login: use the `openai` provider. */
  | "api-key"
  /** Tokens without a refresh token: `codex login --force`. */
  | "no-refresh-token"
  /** auth.json is not usable JSON; left untouched. */
  | "malformed"
  /** The token endpoint refused the refresh token (used, expired, revoked): `codex login`. */
  | "rejected"
  /** The refresh did not go through (network, 5xx, a bad answer); the next try may work. */
  | "refresh-failed";

export class CodexAuthError extends Error {
  constructor(
    readonly kind: CodexAuthErrorKind,
    message: string,
    /** The token endpoint's error code (`refresh_token_reused`, `invalid_grant`), when it gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "CodexAuthError";
  }
}
