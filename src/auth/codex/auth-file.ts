import * as z from "zod";
import { optionalText } from "../json-fields.js";
import { readTokenJson, TokenFileError, type TokenJson } from "../token-store.js";
import { CodexAuthError } from "./errors.js";
import { chatGptClaims, expiryOf, jwtClaims } from "./jwt-claims.js";
import { type CodexEnv, codexAuthPath } from "./paths.js";

/** The ChatGPT login in Codex's auth.json, as kavilo uses it. Never logged: it holds tokens. */
export interface CodexAuth {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** `tokens.account_id`, else the JWT claim `https://api.openai.com/auth` → `chatgpt_account_id`. */
  accountId?: string;
  plan?: string;
  email?: string;
  /** The access token's `exp`, when it is a JWT. */
  expiresAt?: Date;
  lastRefresh?: Date;
}

/** Only the keys kavilo reads; every other key stays in the raw JSON and is written back as it was. */
const authFileSchema = z.looseObject({
  OPENAI_API_KEY: optionalText,
  auth_mode: optionalText,
  tokens: z
    .looseObject({
      access_token: optionalText,
      refresh_token: optionalText,
      id_token: optionalText,
      account_id: optionalText,
    })
    .nullish(),
  last_refresh: optionalText,
});

export function missingLoginMessage(path: string): string {
  return (
    `No Codex login at ${path}: run \`codex login\` (Codex may keep credentials in the OS keyring; ` +
    `set cli_auth_credentials_store = "file" in its config.toml so kavilo can read them)`
  );
}

function validDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Turns auth.json's object into a CodexAuth; a file that is not a usable ChatGPT login is a CodexAuthError. */
export function parseCodexAuth(json: TokenJson, path: string): CodexAuth {
  const parsed = authFileSchema.safeParse(json);
  if (!parsed.success) {
    const at = parsed.error.issues[0]?.path.join(".") || "the top level";
    throw new CodexAuthError(
      "malformed",
      `${path} has an unexpected value at ${at}; it was left untouched: run \`codex login\` to rewrite it`,
    );
  }
  const file = parsed.data;
  const tokens = file.tokens ?? undefined;
  const apiKeyMode = file.auth_mode?.toLowerCase().replace(/[-_]/g, "") === "apikey";
  if (apiKeyMode || (file.OPENAI_API_KEY && !tokens?.access_token)) {
    throw new CodexAuthError(
      "api-key",
      `${path} holds an OpenAI API key, not a ChatGPT subscription login: use the \`openai\` provider ` +
        `with that key, or run \`codex login\` and sign in with ChatGPT`,
    );
  }
  if (!tokens?.access_token) throw new CodexAuthError("missing", missingLoginMessage(path));
  if (!tokens.refresh_token) {
    throw new CodexAuthError(
      "no-refresh-token",
      `${path} has no refresh token, so the login cannot be kept alive: run \`codex login --force\``,
    );
  }
  const access = jwtClaims(tokens.access_token);
  const fromAccess = chatGptClaims(access);
  const fromId = chatGptClaims(jwtClaims(tokens.id_token));
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    idToken: tokens.id_token,
    accountId: tokens.account_id ?? fromId.accountId ?? fromAccess.accountId,
    plan: fromId.plan ?? fromAccess.plan,
    email: fromId.email ?? fromAccess.email,
    expiresAt: expiryOf(access),
    lastRefresh: validDate(file.last_refresh),
  };
}

/** auth.json's raw object; a missing file or malformed JSON is a CodexAuthError (the file is left untouched). */
export async function readCodexAuthJson(path: string): Promise<TokenJson> {
  let json: TokenJson | undefined;
  try {
    json = await readTokenJson(path);
  } catch (err) {
    if (err instanceof TokenFileError) throw new CodexAuthError("malformed", err.message);
    throw err;
  }
  if (!json) throw new CodexAuthError("missing", missingLoginMessage(path));
  return json;
}

/** Reads the ChatGPT login from `$CODEX_HOME/auth.json`. Throws CodexAuthError with the user's one line. */
export async function readCodexAuth(env: CodexEnv): Promise<CodexAuth> {
  const path = codexAuthPath(env);
  return parseCodexAuth(await readCodexAuthJson(path), path);
}
