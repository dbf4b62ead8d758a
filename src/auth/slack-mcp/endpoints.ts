/**
 * Where Slack lives for this process. Both bases can be moved (tests, Enterprise Grid, GovSlack):
 * KAVILO_SLACK_OAUTH_AUTHORIZE_URL for the browser page, KAVILO_SLACK_API_URL for every Web API call.
 */

export const DEFAULT_AUTHORIZE_URL = "https://slack.com/oauth/v2_user/authorize";
export const DEFAULT_API_URL = "https://slack.com/api/";
export const SLACK_MCP_URL = "https://mcp.slack.com/mcp";
export const DEFAULT_REDIRECT_PORT = 7898;
export const CALLBACK_PATH = "/oauth/callback";
/** A token this close to its expiry is refreshed before use. */
export const REFRESH_LEEWAY_MS = 60_000;

/**
 * The user scopes Slack's hosted MCP server uses (search, history, canvases, users, posting),
 * plus im:write for `mcp serve slack`'s DM tools. An app may grant fewer; tools then answer
 * missing_scope.
 */
export const SLACK_MCP_USER_SCOPES = [
  "search:read.public",
  "search:read.private",
  "search:read.mpim",
  "search:read.im",
  "search:read.files",
  "search:read.users",
  "channels:history",
  "groups:history",
  "mpim:history",
  "im:history",
  "channels:read",
  "groups:read",
  "im:write",
  "chat:write",
  "files:read",
  "canvases:read",
  "canvases:write",
  "users:read",
  "users:read.email",
] as const;

/** The tools written to a new alias's enabledTools (the hosted server's names). */
export const DEFAULT_ENABLED_TOOLS = [
  "slack_search_channels",
  "slack_search_public",
  "slack_search_public_and_private",
  "slack_search_users",
  "slack_read_channel",
  "slack_read_thread",
  "slack_send_message",
  "slack_send_message_draft",
] as const;

export interface SlackEndpoints {
  authorizeUrl: string;
  /** Ends in "/": method names are appended. */
  apiUrl: string;
}

export function slackEndpoints(env: NodeJS.ProcessEnv): SlackEndpoints {
  const api = env.KAVILO_SLACK_API_URL?.trim() || DEFAULT_API_URL;
  return {
    authorizeUrl: env.KAVILO_SLACK_OAUTH_AUTHORIZE_URL?.trim() || DEFAULT_AUTHORIZE_URL,
    apiUrl: api.endsWith("/") ? api : `${api}/`,
  };
}

/** The loopback port of the redirect: 7898, or KAVILO_SLACK_OAUTH_PORT (tests; 0 picks a free one). */
export function redirectPort(env: NodeJS.ProcessEnv): number {
  const raw = env.KAVILO_SLACK_OAUTH_PORT?.trim();
  if (!raw) return DEFAULT_REDIRECT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`KAVILO_SLACK_OAUTH_PORT must be a port number (0-65535), not "${raw}"`);
  }
  return port;
}
