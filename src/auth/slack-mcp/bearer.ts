import type { Paths } from "../../core/base/paths.js";
import { slackEndpoints } from "./endpoints.js";
import { cannotRefresh, isDue, refreshFailureReason, refreshSlackToken } from "./refresh.js";
import { readSlackTokenFile, slackTokenPath } from "./token-file.js";
import type { FetchFn } from "./web-api.js";

export interface SlackBearerOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** For the refresh call (tests); the MCP request itself is not made here. */
  fetchFn?: FetchFn;
  /** A refresh that failed: one line, no token. */
  log?: (line: string) => void;
  /** The token file when it is not `mcp-auth/slack/<alias>.json` (the entry's auth.tokenFile). */
  tokenPath?: string;
  /** Read only, never refresh (status, doctor: no network, nothing rotated). */
  offline?: boolean;
}

/**
 * The bearer for one request to a `provider: "slack"` MCP server, read from `<alias>.json` at the
 * time of the request, so a token the refresher (or another process) rotated is used at once.
 * Inside the 60 s leeway it is refreshed first, under the lock. Undefined when there is no token file.
 */
export async function readSlackBearer(
  alias: string,
  paths: Paths,
  opts: SlackBearerOptions = {},
): Promise<string | undefined> {
  const now = opts.now ?? (() => new Date());
  const token = await readSlackTokenFile(opts.tokenPath ?? slackTokenPath(paths, alias));
  if (!token) return undefined;
  if (opts.offline || !isDue(token, now()) || cannotRefresh(alias, token)) return token.access_token;
  try {
    const outcome = await refreshSlackToken({
      alias,
      paths,
      tokenPath: opts.tokenPath,
      apiUrl: slackEndpoints(opts.env ?? process.env).apiUrl,
      now,
      ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
    });
    return outcome.kind === "missing" ? undefined : outcome.value.access_token;
  } catch (err) {
    // Still send the old token: Slack decides, and a 401 becomes MCP_AUTH_REQUIRED.
    opts.log?.(`RefreshFailed slack-mcp ${alias}: ${refreshFailureReason(alias, err)}`);
    return token.access_token;
  }
}

/** What the agent and the user read when Slack rejects (or there is no) token for the alias. */
export function slackAuthRequiredText(alias: string): string {
  return `MCP_AUTH_REQUIRED:server=${alias}; reason=invalid_token; run kavilo mcp slack login ${alias} --force`;
}
