import * as z from "zod";
import { readTokenJson, TokenFileError, type TokenJson } from "../token-store.js";

export { claudeTokenPath } from "./login-file.js";

const who = z.looseObject({
  email: z.string().optional(),
  uuid: z.string().optional(),
  name: z.string().optional(),
});

const tokenFileSchema = z.looseObject({
  accessToken: z.string().min(1),
  /** Absent for a token stored with `login --token`: it cannot be refreshed. */
  refreshToken: z.string().min(1).optional(),
  /** ISO time; absent when the server did not say (and for a pasted token). */
  expiresAt: z.string().optional(),
  scopes: z.array(z.string()).default([]),
  account: who.optional(),
  organization: who.optional(),
  /** "login": the OAuth flow; "token": pasted with --token. */
  source: z.enum(["login", "token"]),
  /** The client and endpoint that issued the token: a refresh goes back to the same ones. */
  clientId: z.string().optional(),
  tokenUrl: z.string().optional(),
  savedAt: z.string(),
  refreshedAt: z.string().optional(),
});

export type ClaudeToken = z.infer<typeof tokenFileSchema>;

/** Parses the file's JSON; a file that is not a Claude token is a TokenFileError (left untouched). */
export function parseClaudeToken(path: string, json: TokenJson): ClaudeToken {
  const parsed = tokenFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "the file";
    throw new TokenFileError(
      path,
      `${path} is not a Claude login (${where}: ${issue?.message ?? "invalid"}); run kavilo auth claude login again`,
    );
  }
  return parsed.data;
}

export async function readClaudeToken(path: string): Promise<ClaudeToken | undefined> {
  const json = await readTokenJson(path);
  return json ? parseClaudeToken(path, json) : undefined;
}

/** Milliseconds since the epoch, or undefined when the file names no (valid) expiry. */
export function expiresAtMs(token: Pick<ClaudeToken, "expiresAt">): number | undefined {
  if (!token.expiresAt) return undefined;
  const ms = Date.parse(token.expiresAt);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A refresh is due within this long of expiry. */
export const REFRESH_LEAD_MS = 5 * 60_000;

/** Due when it can be refreshed and expires within five minutes (or already has). */
export function refreshDue(token: ClaudeToken, now: number): boolean {
  const at = expiresAtMs(token);
  return Boolean(token.refreshToken) && at !== undefined && at - now <= REFRESH_LEAD_MS;
}
