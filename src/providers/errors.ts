import { maskKnown } from "../core/base/redact.js";
import { retryAfterMs } from "./http-policy.js";
import type { AttemptFailure } from "./policy-stream.js";
import { NotAStreamError } from "./transport.js";
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

/**
 * An HTML page (a proxy's 502, a captive portal) as its title, or "an HTML page": never the whole
 * page, which would flood a terminal or a chat. Other text is returned as is.
 */
export function withoutHtml(message: string): string {
  if (!/<(?:!doctype|html|head|body|title)\b/i.test(message)) return message;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(message)?.[1]?.replace(/\s+/g, " ").trim();
  return title ? `${title} (an HTML page)` : "an HTML page";
}

/** A vendor error, as a neutral ProviderError plus the wait the server asked for. */
export function httpFailure(f: HttpErrorFacts): AttemptFailure {
  const code = codeFor(f.status, f.vendorType);
  const hint = code === "auth" ? f.authHint : HINTS[code];
  const prefix =
    f.status !== undefined ? `${f.provider} returned ${f.status}` : `${f.provider} request failed`;
  const message = maskKnown(`${prefix}: ${withoutHtml(f.message)}`, f.secrets, 4);
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

/** The stream ended without the wire's end marker (a finish reason, message_stop). */
export function incompleteFailure(provider: string): AttemptFailure {
  return {
    error: new ProviderError(`${provider}'s stream ended before the answer was complete (no finish reason)`, {
      code: "server",
      provider,
      hint: "the answer was cut off; ask again",
    }),
  };
}

function notAStream(err: unknown): NotAStreamError | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    if (cur instanceof NotAStreamError) return cur;
    cur = cur.cause;
  }
  return undefined;
}

/** A 200 whose body is not the stream asked for: a captive portal, a proxy, the wrong apiBase. */
function notAStreamFailure(provider: string, e: NotAStreamError): AttemptFailure {
  return {
    error: new ProviderError(`${provider} answered with ${e.contentType} instead of an event stream`, {
      code: "bad_request",
      provider,
      hint: "a captive portal or proxy may be in the way; check the network and the provider's apiBase",
      cause: e,
    }),
  };
}

/** Anything that is not an SDK API error: our own bugs, parse failures. */
export function unknownFailure(
  provider: string,
  err: unknown,
  secrets?: (string | undefined)[],
): AttemptFailure {
  const msg = err instanceof Error ? err.message : String(err);
  return { error: new ProviderError(maskKnown(msg, secrets, 4), { code: "unknown", provider, cause: err }) };
}

/** The cause chain's messages, for connect errors whose useful part is nested (ECONNREFUSED...). */
export function describeCause(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    const code = (cur as { code?: unknown }).code;
    // "Connection error." then "fetch failed": joined with ": ", so no sentence stops inside.
    const message = cur.message.replace(/\.+$/, "");
    parts.push(typeof code === "string" ? `${message} (${code})` : message);
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

/** The error classes both vendor SDKs (generated by the same tool) export under the same names. */
export interface SdkErrorClasses {
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIError: abstract new (
    ...args: never[]
  ) => Error & { status?: number | undefined; headers?: unknown; error?: unknown };
}

export interface SdkFailureContext {
  provider: string;
  authHint: string;
  secrets: (string | undefined)[];
  /** The SDK's error classes; undefined before the SDK was loaded. */
  sdk: SdkErrorClasses | undefined;
  /** Where the vendor puts its error type and message inside the response body. */
  errorBody(body: unknown): { type?: unknown; message?: unknown } | undefined;
}

/** Classifies one failed attempt of an SDK call: timeout, connection, HTTP status, or unknown. */
export function classifySdkError(err: unknown, c: SdkFailureContext): AttemptFailure {
  const net = () =>
    httpFailure({
      provider: c.provider,
      status: undefined,
      message: describeCause(err),
      authHint: c.authHint,
      secrets: c.secrets,
    });
  const portal = notAStream(err);
  if (portal) return notAStreamFailure(c.provider, portal);
  const m = c.sdk;
  if (m && err instanceof m.APIConnectionTimeoutError) {
    return {
      error: new ProviderError(`${c.provider} request timed out`, { code: "timeout", provider: c.provider }),
    };
  }
  if (m && err instanceof m.APIConnectionError) return net();
  if (m && err instanceof m.APIError) {
    const api = err as InstanceType<SdkErrorClasses["APIError"]>;
    const body = c.errorBody(api.error);
    return httpFailure({
      provider: c.provider,
      status: api.status,
      message: typeof body?.message === "string" ? body.message : api.message,
      headers: api.headers as HttpErrorFacts["headers"],
      vendorType: typeof body?.type === "string" ? body.type : "api_error",
      authHint: c.authHint,
      cause: err,
      secrets: c.secrets,
    });
  }
  if (looksLikeNetwork(err)) return net();
  return unknownFailure(c.provider, err, c.secrets);
}
