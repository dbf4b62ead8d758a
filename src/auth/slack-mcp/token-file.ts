import { rm } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import type { Paths } from "../../core/base/paths.js";
import { safeAlias } from "../mcp/token-file.js";
import {
  ensurePrivateDir,
  readTokenJson,
  TokenFileError,
  type TokenJson,
  writeTokenJson,
} from "../token-store.js";
import { slackAuthDir } from "./aliases.js";

// The alias listing moved to aliases.ts (no zod); its importers still find it here.
export { listSlackAliases, listSlackAliasesSync } from "./aliases.js";

/**
 * One Slack MCP alias on disk: `mcp-auth/slack/<alias>.json` holds the user token (what the MCP
 * client and `mcp serve slack` read per request), `<alias>.app.json` the app's client id and secret
 * (what a refresh and the next login need). Both 0600 in a 0700 folder, through the token store.
 */

const expiresAtSchema = z.union([
  z.iso.datetime({ offset: true }),
  // A number is epoch seconds (older files); kept as read.
  z.number().positive(),
]);

export const slackTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_at: expiresAtSchema.optional(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
  team_id: z.string().optional(),
  team_name: z.string().optional(),
  user_id: z.string().optional(),
  saved_at: z.string().optional(),
});
export type SlackToken = z.infer<typeof slackTokenSchema>;

export const slackAppSchema = z.looseObject({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  redirect_uri: z.string().optional(),
});
export type SlackApp = z.infer<typeof slackAppSchema>;

export function slackTokenPath(paths: Paths, alias: string): string {
  return join(slackAuthDir(paths), `${safeAlias(alias)}.json`);
}

export function slackAppPath(paths: Paths, alias: string): string {
  return join(slackAuthDir(paths), `${safeAlias(alias)}.app.json`);
}

function parseWith<T>(schema: z.ZodType<T>, json: TokenJson, path: string, what: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "(root)";
  throw new TokenFileError(path, `${path} is not a valid ${what}: ${where}: ${issue?.message ?? "invalid"}`);
}

export function parseSlackToken(json: TokenJson, path: string): SlackToken {
  return parseWith(slackTokenSchema, json, path, "Slack MCP token file");
}

/** The token in `path`; undefined when there is no such file. */
export async function readSlackTokenFile(path: string): Promise<SlackToken | undefined> {
  const json = await readTokenJson(path);
  return json ? parseSlackToken(json, path) : undefined;
}

/** The alias's token; undefined when it has none (never logged in, or logged out). */
export async function readSlackToken(paths: Paths, alias: string): Promise<SlackToken | undefined> {
  return readSlackTokenFile(slackTokenPath(paths, alias));
}

export async function readSlackApp(paths: Paths, alias: string): Promise<SlackApp | undefined> {
  const path = slackAppPath(paths, alias);
  const json = await readTokenJson(path);
  return json ? parseWith(slackAppSchema, json, path, "Slack app file") : undefined;
}

export async function writeSlackToken(paths: Paths, alias: string, token: SlackToken): Promise<void> {
  await ensurePrivateDir(slackAuthDir(paths));
  await writeTokenJson(slackTokenPath(paths, alias), token);
}

export async function writeSlackApp(paths: Paths, alias: string, app: SlackApp): Promise<void> {
  await ensurePrivateDir(slackAuthDir(paths));
  await writeTokenJson(slackAppPath(paths, alias), app);
}

export async function removeSlackToken(paths: Paths, alias: string): Promise<boolean> {
  const path = slackTokenPath(paths, alias);
  const existed = (await readTokenJson(path).catch(() => ({}))) !== undefined;
  await rm(path, { force: true });
  return existed;
}

/** The expiry as a Date; undefined for a legacy non-rotating token. */
export function expiryOf(token: SlackToken): Date | undefined {
  const at = token.expires_at;
  if (at === undefined) return undefined;
  return typeof at === "number" ? new Date(at * 1000) : new Date(at);
}
