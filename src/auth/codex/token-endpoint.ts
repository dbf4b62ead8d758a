import * as z from "zod";
import {
  EndpointUnreachableError,
  postTokenJson,
  type TokenPostAnswer,
  type TokenPostOptions,
} from "../token-post.js";
import { CodexAuthError } from "./errors.js";
import type { CodexEnv } from "./paths.js";

/** OpenAI's token endpoint and the Codex CLI's public OAuth client id (named by the issue). */
export const CODEX_REFRESH_TOKEN_URL = "https://auth.openai.com/oauth/token";
export const CODEX_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

/** `CODEX_REFRESH_TOKEN_URL_OVERRIDE` (the Codex CLI's own switch) replaces the URL. */
export function codexRefreshTokenUrl(env: CodexEnv): string {
  return env.CODEX_REFRESH_TOKEN_URL_OVERRIDE?.trim() || CODEX_REFRESH_TOKEN_URL;
}

const refreshResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  id_token: z.string().min(1).nullish(),
});

export type CodexRefreshResponse = z.infer<typeof refreshResponse>;

/** Codes the endpoint gives for a refresh token it will never accept again. */
const PERMANENT: Record<string, string> = {
  refresh_token_reused: "was already used",
  refresh_token_expired: "has expired",
  refresh_token_invalidated: "was revoked",
  invalid_grant: "was rejected",
};

/** The error code of a token-endpoint answer: `{error: {code}}`, `{error: "code"}` or `{code}`. */
export function tokenErrorCode(body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object") return undefined;
  const map = value as Record<string, unknown>;
  const error = map.error;
  if (typeof error === "string") return error;
  if (error && typeof error === "object") {
    const code = (error as Record<string, unknown>).code;
    if (typeof code === "string") return code;
  }
  return typeof map.code === "string" ? map.code : undefined;
}

/**
 * Exchanges a refresh token for new tokens, with the body current codex-rs sends: JSON
 * `{client_id, grant_type: "refresh_token", refresh_token}` (older releases added
 * `scope: "openid profile email"`; the endpoint takes both). A 401, or a known "never again" code,
 * is `rejected`; anything else is `refresh-failed` (worth retrying). No token reaches a message.
 */
export async function requestCodexRefresh(
  env: CodexEnv,
  refreshToken: string,
  opts: TokenPostOptions = {},
): Promise<CodexRefreshResponse> {
  const url = codexRefreshTokenUrl(env);
  let res: TokenPostAnswer;
  try {
    res = await postTokenJson(
      url,
      { client_id: CODEX_CLIENT_ID, grant_type: "refresh_token", refresh_token: refreshToken },
      opts,
    );
  } catch (err) {
    if (err instanceof EndpointUnreachableError)
      throw new CodexAuthError("refresh-failed", `Codex token endpoint: ${err.message}`);
    throw err;
  }
  const body = res.text;
  if (!res.ok) {
    const code = tokenErrorCode(body);
    const what = code ? PERMANENT[code.toLowerCase()] : undefined;
    if (what || res.status === 401) {
      throw new CodexAuthError(
        "rejected",
        `the Codex refresh token ${what ?? "was rejected"} (HTTP ${res.status}${code ? ` ${code}` : ""}): re-run \`codex login\` and retry`,
        code?.toLowerCase(),
      );
    }
    throw new CodexAuthError(
      "refresh-failed",
      `the Codex token endpoint answered HTTP ${res.status}${code ? ` ${code}` : ""}; kavilo will try again`,
      code?.toLowerCase(),
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new CodexAuthError(
      "refresh-failed",
      "the Codex token endpoint answered with something that is not JSON",
    );
  }
  const tokens = refreshResponse.safeParse(parsed);
  if (!tokens.success) {
    throw new CodexAuthError("refresh-failed", "the Codex token endpoint answered without an access token");
  }
  return tokens.data;
}
