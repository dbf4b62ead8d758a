import { readCodexAuth } from "./auth-file.js";
import { CodexAuthError, type CodexAuthErrorKind } from "./errors.js";
import { type CodexEnv, codexAuthPath } from "./paths.js";

/** The Codex login as `status` shows it: who, which plan, when the access token expires. No token. */
export type CodexLoginStatus =
  | {
      state: "ok";
      path: string;
      accountId?: string;
      email?: string;
      plan?: string;
      /** ISO, when the access token is a JWT with `exp`. */
      expiresAt?: string;
      lastRefresh?: string;
    }
  | { state: Exclude<CodexAuthErrorKind, "rejected" | "refresh-failed">; path: string; message: string };

export async function codexLoginStatus(env: CodexEnv): Promise<CodexLoginStatus> {
  const path = codexAuthPath(env);
  try {
    const auth = await readCodexAuth(env);
    return {
      state: "ok",
      path,
      accountId: auth.accountId,
      email: auth.email,
      plan: auth.plan,
      expiresAt: auth.expiresAt?.toISOString(),
      lastRefresh: auth.lastRefresh?.toISOString(),
    };
  } catch (err) {
    if (!(err instanceof CodexAuthError)) throw err;
    const state = err.kind === "rejected" || err.kind === "refresh-failed" ? "malformed" : err.kind;
    return { state, path, message: err.message };
  }
}

/** One line for `status`, e.g. `user@example.com (plus), account acc-1, expires 2026-12-08T10:00:00.000Z`. */
export function describeCodexLogin(status: CodexLoginStatus, now = new Date()): string {
  if (status.state !== "ok") return status.message;
  const who = status.email ?? status.accountId ?? "ChatGPT account";
  const parts = [`${who}${status.plan ? ` (${status.plan})` : ""}`];
  if (status.accountId && status.email) parts.push(`account ${status.accountId}`);
  if (status.expiresAt) {
    const expired = new Date(status.expiresAt).getTime() <= now.getTime();
    parts.push(`${expired ? "access token expired" : "access token expires"} ${status.expiresAt}`);
  }
  if (status.lastRefresh) parts.push(`last refresh ${status.lastRefresh}`);
  return parts.join(", ");
}
