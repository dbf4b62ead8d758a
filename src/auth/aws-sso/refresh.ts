import { readTokenJson, refreshUnderLock, TokenFileError } from "../token-store.js";
import type { AwsEnv, SsoSession } from "./config-file.js";
import { AwsSsoError, createSsoToken } from "./create-token.js";
import { formatAwsTime, parseSsoCache, type SsoCachedToken, ssoCachePath } from "./token-cache.js";

export interface SsoRefreshOptions {
  leadMs: number;
  now: Date;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** What one session's tick found. `skipped` and `failed` carry the one-line reason (no secret). */
export type SsoRefreshOutcome =
  | { kind: "refreshed" | "adopted" | "fresh"; expiresAt?: Date }
  | { kind: "skipped" | "failed"; reason: string };

function loginHint(session: string) {
  return `run \`aws sso login --sso-session ${session}\``;
}

/** Why this cached token cannot be refreshed without the user (undefined: it can). */
function whyNot(session: SsoSession, token: SsoCachedToken, now: Date): string | undefined {
  if (!token.refreshToken) return `the cached token has no refresh token; ${loginHint(session.name)}`;
  if (!token.clientId || !token.clientSecret) {
    return `the cached token has no client registration; ${loginHint(session.name)}`;
  }
  if (!token.registrationExpiresAt || token.registrationExpiresAt.getTime() <= now.getTime()) {
    return `the client registration expired${token.registrationExpiresAt ? ` at ${token.registrationExpiresAt.toISOString()}` : ""}; ${loginHint(session.name)}`;
  }
  if (!(session.region ?? token.region)) return "the sso-session block has no sso_region";
  return undefined;
}

const due = (token: SsoCachedToken, now: Date, leadMs: number) =>
  !token.expiresAt || token.expiresAt.getTime() - now.getTime() <= leadMs;

/**
 * Keeps one `[sso-session NAME]` login alive: when its cached token expires within the lead, it
 * calls CreateToken under the token store's lock (re-reading the cache first: an `aws` CLI or
 * another kavilo that refreshed it is adopted) and rewrites the cache atomically with the new
 * `accessToken`, `refreshToken` and `expiresAt`, keeping the other fields and the file's mode.
 */
export async function refreshSsoSession(
  env: AwsEnv,
  session: SsoSession,
  opts: SsoRefreshOptions,
): Promise<SsoRefreshOutcome> {
  const path = ssoCachePath(env, session.name);
  const never = `no cached token (never logged in); ${loginHint(session.name)}`;
  let before: SsoCachedToken | undefined;
  try {
    const json = await readTokenJson(path);
    if (!json) return { kind: "skipped", reason: never };
    before = parseSsoCache(json);
  } catch (err) {
    if (err instanceof TokenFileError) return { kind: "failed", reason: err.message };
    throw err;
  }
  if (!before)
    return { kind: "failed", reason: `${path} does not look like an SSO token cache; it was left untouched` };
  const cannot = whyNot(session, before, opts.now);
  if (cannot && due(before, opts.now, opts.leadMs)) return { kind: "skipped", reason: cannot };
  if (!due(before, opts.now, opts.leadMs)) return { kind: "fresh", expiresAt: before.expiresAt };

  let unusable: string | undefined;
  try {
    const outcome = await refreshUnderLock<SsoCachedToken>({
      path,
      parse: (json) => {
        const token = parseSsoCache(json);
        if (!token)
          throw new TokenFileError(
            path,
            `${path} does not look like an SSO token cache; it was left untouched`,
          );
        return token;
      },
      due: (current) => {
        // Refreshed by someone else since we looked: adopt it.
        if (current.refreshToken !== before.refreshToken || current.accessToken !== before.accessToken)
          return false;
        unusable = due(current, opts.now, opts.leadMs) ? whyNot(session, current, opts.now) : undefined;
        return unusable === undefined && due(current, opts.now, opts.leadMs);
      },
      refresh: async (current, json) => {
        const fresh = await createSsoToken(
          env,
          {
            session: session.name,
            region: (session.region ?? current.region) as string,
            clientId: current.clientId as string,
            clientSecret: current.clientSecret as string,
            refreshToken: current.refreshToken as string,
          },
          { fetch: opts.fetch, signal: opts.signal },
        );
        return {
          ...json,
          accessToken: fresh.accessToken,
          ...(fresh.refreshToken ? { refreshToken: fresh.refreshToken } : {}),
          expiresAt: formatAwsTime(new Date(opts.now.getTime() + fresh.expiresIn * 1000)),
        };
      },
      refreshTokenOf: (current) => current.refreshToken,
      isReused: (err) => err instanceof AwsSsoError && err.kind === "rejected",
      write: { mode: "keep" },
    });
    if (outcome.kind === "missing") return { kind: "skipped", reason: never };
    if (unusable) return { kind: "skipped", reason: unusable };
    if (outcome.kind === "refreshed") return { kind: "refreshed", expiresAt: outcome.value.expiresAt };
    const rotated =
      outcome.value.refreshToken !== before.refreshToken || outcome.value.accessToken !== before.accessToken;
    return { kind: rotated ? "adopted" : "fresh", expiresAt: outcome.value.expiresAt };
  } catch (err) {
    if (err instanceof AwsSsoError || err instanceof TokenFileError)
      return { kind: "failed", reason: err.message };
    throw err;
  }
}
