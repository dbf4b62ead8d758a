import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import * as z from "zod";
import { readJsonFile } from "../../core/base/atomic-file.js";
import { expandHome, type Paths } from "../../core/base/paths.js";
import { readSlackBearer } from "../slack-mcp/bearer.js";
import { getValidAccessToken } from "./token.js";

export interface McpServerAuth {
  provider: "oauth" | "slack" | "bearer";
  tokenFile?: string | undefined;
}

const slackTokenSchema = z.looseObject({ access_token: z.string().min(1) });

/** A configured token file path: `~/` is the user's home, a relative path is under the kavilo home. */
export function expandPath(path: string, paths: Paths): string {
  const expanded = expandHome(path);
  return isAbsolute(expanded) ? expanded : resolve(paths.home, expanded);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * The bearer token for one request to an HTTP MCP server, read from its file every time so a
 * token refreshed by another process is used at once. Undefined when there is none.
 * A server without an auth block still uses a token saved by `kavilo mcp login`.
 */
export async function readMcpServerToken(
  alias: string,
  auth: McpServerAuth | undefined,
  paths: Paths,
  fetchFn?: FetchLike,
  opts: { force?: boolean } = {},
): Promise<string | undefined> {
  const provider = auth?.provider ?? "oauth";
  if (provider === "oauth") return getValidAccessToken(alias, paths, fetchFn, opts);
  if (provider === "bearer") {
    if (!auth?.tokenFile) throw new Error(`${alias}: auth.provider "bearer" needs auth.tokenFile`);
    const text = await readOptional(expandPath(auth.tokenFile, paths));
    const token = text?.trim();
    return token ? token : undefined;
  }
  // Slack's own files: read per request and refreshed inside the 60 s leeway (auth/slack-mcp).
  if (!auth?.tokenFile) return readSlackBearer(alias, paths);
  const path = expandPath(auth.tokenFile, paths);
  const raw = await readJsonFile(path);
  if (raw === undefined) return undefined;
  const parsed = slackTokenSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} has no access_token`);
  return parsed.data.access_token;
}
