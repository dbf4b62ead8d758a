import { claudeLoginActive, namesClaude } from "../../auth/claude/login-file.js";
import { isSubscriptionRejection, SUBSCRIPTION_REJECTED } from "../../auth/claude/rejection.js";
import { claudeOAuthDisabled } from "../../auth/claude/settings.js";
import type { Paths } from "../../core/base/paths.js";
import type { CredentialsGetter } from "../../providers/credentials.js";
import type { ResolvedProvider } from "../../providers/resolve.js";
import { type Provider, ProviderError, type StreamEvent } from "../../providers/types.js";

/** The Claude Pro/Max login, when it applies to this provider: its getter and how to read its refusals. */
export interface ClaudeLoginUse {
  credentials: CredentialsGetter;
  /** Turns Anthropic's "only for its own apps" refusal into one line that suggests an API key. */
  explainRefusal(provider: Provider): Provider;
}

/**
 * A Claude login (`kavilo auth claude login`) is used when its token file exists, the provider speaks
 * the Anthropic wire and the model names claude or anthropic; KAVILO_ANTHROPIC_OAUTH_DISABLED=1
 * forces the API key. It wins over an API key, as the login is what the user set up last.
 */
export function claudeLoginFor(
  resolved: Pick<ResolvedProvider, "spec" | "model" | "apiKey">,
  paths: Pick<Paths, "auth">,
  env: NodeJS.ProcessEnv,
): ClaudeLoginUse | undefined {
  if (resolved.spec.wire !== "anthropic" || !namesClaude(resolved.model)) return undefined;
  if (claudeOAuthDisabled(env)) return undefined;
  const key = resolved.apiKey;
  if (!key && !claudeLoginActive(paths, env)) return undefined;
  // The token file's parser and the OAuth client load with the first request that uses the login.
  let login: Promise<CredentialsGetter> | undefined;
  // Decided per request: a login or logout while a long-running process (start, the TUI) is up
  // applies to its next request; with no login on file the key, if any, is used.
  const credentials: CredentialsGetter = async (req) => {
    if (key && !claudeLoginActive(paths, env)) return { apiKey: key };
    login ??= import("../../auth/claude/credentials.js").then((m) => m.claudeCredentialsGetter(paths, env));
    return (await login)(req);
  };
  return { credentials, explainRefusal };
}

function refused(ev: StreamEvent): StreamEvent {
  if (ev.type !== "error" || !isSubscriptionRejection(ev.error.status, ev.error.message)) return ev;
  const error = new ProviderError(SUBSCRIPTION_REJECTED.message, {
    code: "auth",
    provider: ev.error.provider,
    ...(ev.error.status !== undefined ? { status: ev.error.status } : {}),
    hint: SUBSCRIPTION_REJECTED.hint,
    cause: ev.error,
  });
  return { type: "error", error, retryable: false };
}

function explainRefusal(provider: Provider): Provider {
  return {
    id: provider.id,
    async *stream(req, signal) {
      for await (const ev of provider.stream(req, signal)) yield refused(ev);
    },
  };
}
