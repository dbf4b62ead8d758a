import { rm } from "node:fs/promises";
import { join } from "node:path";
import {
  OAuthMetadataSchema,
  OAuthProtectedResourceMetadataSchema,
  OpenIdProviderDiscoveryMetadataSchema,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import * as z from "zod";
import { isSafeMcpAlias } from "../../core/base/mcp-alias.js";
import type { Paths } from "../../core/base/paths.js";
import {
  readTokenJson,
  TokenFileError,
  type TokenJson,
  tokenLockPath,
  writeTokenJson,
} from "../token-store.js";

const clientInformationSchema = z.looseObject({
  client_id: z.string().min(1),
  client_secret: z.string().optional(),
  client_id_issued_at: z.number().optional(),
  client_secret_expires_at: z.number().optional(),
  issuer: z.string().optional(),
});

const storedTokensSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().optional(),
  token_type: z.string(),
  scope: z.string().optional(),
});

/** What discovery found, kept so refresh and the second half of a login need no new discovery. */
const discoverySchema = z.object({
  authorizationServerUrl: z.string(),
  resourceMetadataUrl: z.string().optional(),
  resourceMetadata: OAuthProtectedResourceMetadataSchema.optional(),
  authorizationServerMetadata: z
    .union([OAuthMetadataSchema, OpenIdProviderDiscoveryMetadataSchema])
    .optional(),
});

export const mcpTokenFileSchema = z.object({
  serverUrl: z.string(),
  clientInformation: clientInformationSchema,
  tokens: storedTokensSchema,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  savedAt: z.string(),
  redirectUrl: z.string().optional(),
  discovery: discoverySchema.optional(),
  /** Scopes a server demanded with 403 insufficient_scope; the next `kavilo mcp login` asks for them. */
  requiredScope: z.string().optional(),
});

export const mcpPendingLoginSchema = z.object({
  serverUrl: z.string(),
  state: z.string().min(1),
  codeVerifier: z.string().min(1),
  redirectUrl: z.string(),
  clientInformation: clientInformationSchema,
  discovery: discoverySchema.optional(),
  /** The scope asked for; the granted scope when the token response does not name one (RFC 6749 §5.1). */
  scope: z.string().optional(),
  createdAt: z.string(),
});

export type McpTokenFile = z.infer<typeof mcpTokenFileSchema>;
export type McpPendingLogin = z.infer<typeof mcpPendingLoginSchema>;
export type StoredClientInformation = z.infer<typeof clientInformationSchema>;
export type StoredDiscovery = z.infer<typeof discoverySchema>;

// Aliases come from config keys; keep them from escaping the directory.
export function safeAlias(alias: string): string {
  if (!isSafeMcpAlias(alias)) {
    throw new Error(`invalid MCP server alias "${alias}": use letters, digits, ".", "_" or "-"`);
  }
  return alias;
}

export function mcpTokenPath(paths: Paths, alias: string): string {
  return join(paths.mcpAuth, `${safeAlias(alias)}.json`);
}

export function mcpPendingPath(paths: Paths, alias: string): string {
  // A directory of its own: no alias's token file can share its name (alias "a.pending" is valid).
  return join(paths.mcpAuth, "pending", `${safeAlias(alias)}.json`);
}

/** The token store's lock beside the token file: refreshes, logins and step-up records take it. */
export function mcpTokenLockPath(paths: Paths, alias: string): string {
  return tokenLockPath(mcpTokenPath(paths, alias));
}

function parseOrExplain<T>(schema: z.ZodType<T>, value: TokenJson, path: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join(".") : "(root)";
  throw new TokenFileError(
    path,
    `${path} is not a valid MCP token file: ${where}: ${issue?.message ?? "invalid"}`,
  );
}

/** A token file's JSON as a login; a TokenFileError says what is wrong with it. */
export function parseMcpTokenFile(json: TokenJson, path: string): McpTokenFile {
  return parseOrExplain(mcpTokenFileSchema, json, path);
}

/**
 * The stored login of one server; undefined when there is none. Files go through the token store
 * (src/auth/token-store.ts): read whole, written atomically 0600 in a 0700 folder.
 */
export async function readMcpTokenFile(paths: Paths, alias: string): Promise<McpTokenFile | undefined> {
  const path = mcpTokenPath(paths, alias);
  const json = await readTokenJson(path);
  return json === undefined ? undefined : parseMcpTokenFile(json, path);
}

export async function writeMcpTokenFile(paths: Paths, alias: string, file: McpTokenFile): Promise<void> {
  await writeTokenJson(mcpTokenPath(paths, alias), file);
}

export async function readMcpPending(paths: Paths, alias: string): Promise<McpPendingLogin | undefined> {
  const path = mcpPendingPath(paths, alias);
  const json = await readTokenJson(path);
  return json === undefined ? undefined : parseOrExplain(mcpPendingLoginSchema, json, path);
}

export async function writeMcpPending(paths: Paths, alias: string, pending: McpPendingLogin): Promise<void> {
  await writeTokenJson(mcpPendingPath(paths, alias), pending);
}

export async function removeMcpPending(paths: Paths, alias: string): Promise<void> {
  await rm(mcpPendingPath(paths, alias), { force: true });
}
