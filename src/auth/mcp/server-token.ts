import { readFile } from "node:fs/promises";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { configuredPath, type Paths } from "../../core/base/paths.js";
import { readSlackBearer, type SlackBearerOptions } from "../slack-mcp/bearer.js";
import { getValidAccessToken } from "./token.js";

export interface McpServerAuth {
  provider: "oauth" | "slack" | "bearer";
  tokenFile?: string | undefined;
}

/** A configured token file path: `~/` is the user's home, a relative path is under the kavilo home. */
export function expandPath(path: string, paths: Paths): string {
  return configuredPath(path, paths.home);
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
  opts: { force?: boolean } & Pick<SlackBearerOptions, "env" | "now" | "log" | "offline"> = {},
): Promise<string | undefined> {
  const provider = auth?.provider ?? "oauth";
  if (provider === "oauth") return getValidAccessToken(alias, paths, fetchFn, opts);
  if (provider === "bearer") {
    if (!auth?.tokenFile) throw new Error(`${alias}: auth.provider "bearer" needs auth.tokenFile`);
    const text = await readOptional(expandPath(auth.tokenFile, paths));
    const token = text?.trim();
    return token ? token : undefined;
  }
  // Slack's own file (or the entry's auth.tokenFile): read per request, refreshed inside the 60 s leeway.
  const { env, now, log, offline } = opts;
  return readSlackBearer(alias, paths, {
    ...(auth?.tokenFile ? { tokenPath: expandPath(auth.tokenFile, paths) } : {}),
    ...(offline ? { offline } : {}),
    ...(env ? { env } : {}),
    ...(now ? { now } : {}),
    ...(log ? { log } : {}),
  });
}
