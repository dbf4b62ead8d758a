import { retryAfterMs } from "./http-policy.js";
import type { AttemptFailure } from "./policy-stream.js";
import { ProviderError, type ProviderErrorCode } from "./types.js";

export interface HttpErrorFacts {
  provider: string;
  /** Undefined when no HTTP response arrived (connect error, reset, mid-stream error event). */
  status: number | undefined;
  message: string;
  headers?: { get(name: string): string | null } | undefined;
  /** e.g. "overloaded_error" from an error event inside a stream. */
  vendorType?: string | undefined;
  authHint: string;
  cause?: unknown;
  /** Values to blank out of anything we surface (the API key). */
  secrets?: (string | undefined)[];
}

function codeFor(status: number | undefined, vendorType: string | undefined): ProviderErrorCode {
  if (status === undefined) {
    if (vendorType === "overloaded_error" || vendorType === "api_error" || vendorType === "server_error")
      return "server";
    if (vendorType === "rate_limit_error") return "rate_limit";
    return vendorType ? "unknown" : "network";
  }
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limit";
  if (status >= 500) return "server";
  if (status >= 400) return "bad_request";
  return "unknown";
}

const HINTS: Partial<Record<ProviderErrorCode, string>> = {
  not_found: "check the model name (and apiBase)",
  rate_limit: "rate limited: wait a moment, or check the account's quota",
  network: "check the network and the provider's apiBase",
};

export function scrub(text: string, secrets: (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("[REDACTED]");
  return out;
}

/** A vendor error, as a neutral ProviderError plus the wait the server asked for. */
export function httpFailure(f: HttpErrorFacts): AttemptFailure {
  const code = codeFor(f.status, f.vendorType);
  const hint = code === "auth" ? f.authHint : HINTS[code];
  const prefix =
    f.status !== undefined ? `${f.provider} returned ${f.status}` : `${f.provider} request failed`;
  const message = scrub(`${prefix}: ${f.message}`, f.secrets);
  const error = new ProviderError(message, {
    code,
    provider: f.provider,
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(hint ? { hint } : {}),
    cause: f.cause,
  });
  const wait = f.headers ? retryAfterMs((n) => f.headers?.get(n)) : undefined;
  return wait !== undefined ? { error, retryAfterMs: wait } : { error };
}

/** Anything that is not an SDK API error: our own bugs, parse failures. */
export function unknownFailure(
  provider: string,
  err: unknown,
  secrets?: (string | undefined)[],
): AttemptFailure {
  const msg = err instanceof Error ? err.message : String(err);
  return { error: new ProviderError(scrub(msg, secrets), { code: "unknown", provider, cause: err }) };
}

/** The cause chain's messages, for connect errors whose useful part is nested (ECONNREFUSED...). */
export function describeCause(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    const code = (cur as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${cur.message} (${code})` : cur.message);
    cur = cur.cause;
  }
  return [...new Set(parts)].join(": ") || String(err);
}

/** Socket-level failures that surface as plain errors from fetch (reset, "terminated", refused). */
export function looksLikeNetwork(err: unknown): boolean {
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    if (cur.message === "terminated" || cur.message === "fetch failed") return true;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR)/.test(code)) return true;
    cur = cur.cause;
  }
  return false;
}
