import { REFRESH_LEEWAY_MS } from "../auth/slack-mcp/endpoints.js";
import { cannotRefresh, isDue, refreshFailureReason, refreshSlackToken } from "../auth/slack-mcp/refresh.js";
import { expiryOf, readSlackTokenFile, slackTokenPath } from "../auth/slack-mcp/token-file.js";
import type { FetchFn } from "../auth/slack-mcp/web-api.js";
import { configuredPath, type Paths } from "../core/base/paths.js";
import type { McpServerConfig } from "../core/config/schema.js";
import { disabledByEnv } from "./switches.js";
import type { Refresher, RefresherEnabled, TargetOutcome } from "./types.js";

export const DEFAULT_TICK_SECS = 30 * 60;

export interface SlackMcpRefresherDeps {
  /** tools.mcpServers; read at each tick so servers added meanwhile are seen. */
  servers: () => Record<string, McpServerConfig>;
  paths: Paths;
  /** KAVILO_SLACK_REFRESH_DISABLED, KAVILO_SLACK_REFRESH_TICK_SECS; the Web API base comes in apiUrl. */
  env: NodeJS.ProcessEnv;
  /** The Web API base (ends in "/"), where oauth.v2.access is. */
  apiUrl: string;
  fetchFn?: FetchFn;
}

function tickMs(env: NodeJS.ProcessEnv): number {
  const raw = env.KAVILO_SLACK_REFRESH_TICK_SECS?.trim();
  const secs = raw ? Number(raw) : Number.NaN;
  return (Number.isFinite(secs) && secs > 0 ? secs : DEFAULT_TICK_SECS) * 1000;
}

async function tickOne(
  alias: string,
  server: McpServerConfig,
  deps: SlackMcpRefresherDeps,
  now: Date,
): Promise<TargetOutcome> {
  const skipped = (reason: string): TargetOutcome => ({ target: alias, result: "skipped", reason });
  if (!server.enabled) return skipped("disabled in tools.mcpServers");
  // The entry's auth.tokenFile, when set, is the token file (the MCP client reads the same one).
  const file = server.auth?.tokenFile;
  const tokenPath = file ? configuredPath(file, deps.paths.home) : slackTokenPath(deps.paths, alias);
  const token = await readSlackTokenFile(tokenPath);
  const missing = `no token file${file ? ` at ${tokenPath}` : ""}; run kavilo mcp slack login ${alias}`;
  if (!token) return skipped(missing);
  const why = cannotRefresh(alias, token);
  if (why) return skipped(why);
  const expiry = expiryOf(token)?.toISOString();
  // Due when it would expire before the next tick (plus the leeway), so an idle runtime's token
  // never lapses between ticks: Slack's 12-hour tokens are rotated about one tick early.
  const leewayMs = REFRESH_LEEWAY_MS + tickMs(deps.env);
  if (!isDue(token, now, leewayMs)) {
    return { target: alias, result: "fresh", ...(expiry ? { expiresAt: expiry } : {}) };
  }
  const outcome = await refreshSlackToken({
    alias,
    paths: deps.paths,
    tokenPath,
    apiUrl: deps.apiUrl,
    leewayMs,
    now: () => now,
    ...(deps.fetchFn ? { fetchFn: deps.fetchFn } : {}),
  });
  if (outcome.kind === "missing") return skipped(missing);
  const after = expiryOf(outcome.value)?.toISOString();
  return { target: alias, result: outcome.kind, ...(after ? { expiresAt: after } : {}) };
}

/** The refresher's name, tick and switch alone: what `status` shows without building or ticking it. */
export function slackMcpRefresherSchedule(
  env: NodeJS.ProcessEnv,
): Pick<Refresher, "name" | "intervalMs" | "enabled"> {
  return {
    name: "slack-mcp",
    intervalMs: tickMs(env),
    enabled(): RefresherEnabled {
      if (disabledByEnv(env, "KAVILO_SLACK_REFRESH_DISABLED"))
        return { enabled: false, reason: "KAVILO_SLACK_REFRESH_DISABLED is set" };
      return { enabled: true };
    },
  };
}

/**
 * Keeps every enabled `provider: "slack"` MCP server's rotating user token fresh for `kavilo start`:
 * when it would expire before the next tick plus the 60 s leeway, with a refresh token on file, it
 * calls oauth.v2.access and writes the new
 * token atomically under the lock. The live bearer is read per request, so no reconnect is needed.
 */
export function createSlackMcpRefresher(deps: SlackMcpRefresherDeps): Refresher {
  return {
    ...slackMcpRefresherSchedule(deps.env),
    async tick(now) {
      const slack = Object.entries(deps.servers()).filter(([, s]) => s.auth?.provider === "slack");
      const outcomes: TargetOutcome[] = [];
      for (const [alias, server] of slack) {
        try {
          outcomes.push(await tickOne(alias, server, deps, now));
        } catch (err) {
          // A spent or revoked refresh token cannot be recovered silently: the user logs in again.
          outcomes.push({ target: alias, result: "failed", reason: refreshFailureReason(alias, err) });
        }
      }
      return outcomes;
    },
  };
}
