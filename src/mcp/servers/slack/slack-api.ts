import type { WebClient } from "@slack/web-api";
import { readSlackBearer, slackAuthRequiredText } from "../../../auth/slack-mcp/bearer.js";
import { slackEndpoints } from "../../../auth/slack-mcp/endpoints.js";
import type { Paths } from "../../../core/base/paths.js";

/** One Web API call as the alias's user; the token is read (and refreshed when due) per call. */
export type SlackCall = (method: string, args?: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface SlackUserApiDeps {
  alias: string;
  paths: Paths;
  env: NodeJS.ProcessEnv;
  /** Warnings from the SDK and refresh failures; never stdout. */
  log: (line: string) => void;
}

/** A Slack error meant for the caller: the whole line is the tool's error result. */
export class SlackToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SlackToolError";
  }
}

const AUTH_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "token_expired",
  "account_inactive",
]);

interface PlatformData {
  error?: string;
  needed?: string;
}

/** Slack's answer turned into one line: its error code, the scope a missing_scope needs, or the login line. */
export function slackErrorLine(alias: string, method: string, err: unknown): string {
  const data = (err as { data?: PlatformData }).data;
  const code = data?.error;
  if (!code) return `Slack ${method} failed: ${(err as Error).message}`;
  if (AUTH_ERRORS.has(code)) return slackAuthRequiredText(alias);
  if (code === "missing_scope") {
    const scope = data?.needed ?? "a scope the token lacks";
    return `Slack ${method} failed: missing_scope (needs ${scope}); add it to the Slack app's User Token Scopes, then run kavilo mcp slack login ${alias} --force`;
  }
  return `Slack ${method} failed: ${code}`;
}

/**
 * The Web API as the alias's user, through @slack/web-api (`slackApiUrl` from KAVILO_SLACK_API_URL).
 * The SDK is loaded at the first call, so registering the tools costs nothing.
 */
export function createSlackUserApi(deps: SlackUserApiDeps): SlackCall {
  let client: Promise<WebClient> | undefined;
  const web = () => {
    client ??= Promise.all([import("@slack/web-api"), import("../../../core/base/slack-sdk-logger.js")]).then(
      ([{ WebClient }, { slackLogger }]) =>
        new WebClient(undefined, {
          slackApiUrl: slackEndpoints(deps.env).apiUrl,
          logger: slackLogger((_level, msg) => deps.log(msg), []),
          timeout: 30_000,
          retryConfig: { retries: 2 },
        }),
    );
    return client;
  };
  return async (method, args = {}) => {
    const token = await readSlackBearer(deps.alias, deps.paths, { env: deps.env, log: deps.log });
    if (!token) throw new SlackToolError(slackAuthRequiredText(deps.alias));
    try {
      const answer = await (await web()).apiCall(method, { ...args, token });
      return { ...answer };
    } catch (err) {
      throw new SlackToolError(slackErrorLine(deps.alias, method, err));
    }
  };
}
