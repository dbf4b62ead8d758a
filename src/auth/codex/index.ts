/** The Codex CLI's ChatGPT login (`$CODEX_HOME/auth.json`): read, refresh, per-request credentials, status. */
export { type CodexAuth, parseCodexAuth, readCodexAuth } from "./auth-file.js";
export { type CodexCredentialsDeps, codexCredentialsGetter } from "./credentials.js";
export { CodexAuthError, type CodexAuthErrorKind } from "./errors.js";
export { type CodexLoginStatus, codexLoginStatus, describeCodexLogin } from "./login-status.js";
export { type CodexEnv, codexAuthPath, codexHome } from "./paths.js";
export {
  type CodexRefreshOptions,
  type CodexRefreshResult,
  codexRefreshDue,
  refreshCodexAuth,
} from "./refresh.js";
export { CODEX_CLIENT_ID, CODEX_REFRESH_TOKEN_URL, codexRefreshTokenUrl } from "./token-endpoint.js";
