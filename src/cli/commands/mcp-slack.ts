import { safeAlias } from "../../auth/mcp/token-file.js";
import { DEFAULT_ENABLED_TOOLS, SLACK_MCP_URL } from "../../auth/slack-mcp/endpoints.js";
import type { SlackAliasStatus } from "../../auth/slack-mcp/status.js";
import { loadConfig } from "../../core/config/parse.js";
import type { Config } from "../../core/config/schema.js";
import { updateConfigFile } from "../../core/config/update-file.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

export interface SlackLoginCliOptions {
  clientId?: string;
  clientSecret?: string;
  team?: string;
  redirectUri?: string;
  force?: boolean;
  /** False with --no-browser. */
  browser: boolean;
}

const print = (line: string) => process.stderr.write(`${line}\n`);

function checkAlias(alias: unknown): string {
  try {
    return safeAlias(String(alias));
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

/**
 * Writes `tools.mcpServers.<alias>` for Slack's hosted MCP server, validated like `config set`.
 * An existing entry keeps its description, enabledTools, url and the rest; auth is set to slack.
 */
async function writeServerEntry(ctx: CliContext, alias: string, teamId?: string, label?: string) {
  let existed = false;
  // Read, changed, validated and written under the config.json lock, like `config set`.
  await updateConfigFile(ctx.basePaths.config, (raw) => {
    const tools = (raw.tools ?? {}) as Record<string, unknown>;
    const servers = (tools.mcpServers ?? {}) as Record<string, Record<string, unknown>>;
    const before = servers[alias];
    existed = before !== undefined;
    const http = before && typeof before.url === "string" ? before : undefined;
    servers[alias] = {
      ...(http ?? {}),
      type: "http",
      url: http?.url ?? SLACK_MCP_URL,
      ...(before?.description !== undefined ? { description: before.description } : {}),
      enabledTools: before?.enabledTools ?? [...DEFAULT_ENABLED_TOOLS],
      auth: {
        provider: "slack",
        ...(teamId ? { teamId } : {}),
        ...(label ? { label } : {}),
      },
    };
    tools.mcpServers = servers;
    raw.tools = tools;
  });
  return existed ? "updated" : "added";
}

/** `kavilo mcp slack login <alias>`. */
export async function login(ctx: CliContext, aliasArg: unknown, opts: SlackLoginCliOptions): Promise<number> {
  const alias = checkAlias(aliasArg);
  // A bad config.json is reported before the browser dance, not after.
  loadConfig(ctx.basePaths.config);
  const { slackLogin, SlackLoginError } = await import("../../auth/slack-mcp/login.js");
  let result: Awaited<ReturnType<typeof slackLogin>>;
  try {
    result = await slackLogin({
      alias,
      paths: ctx.basePaths,
      env: ctx.env,
      force: Boolean(opts.force),
      openBrowser: opts.browser,
      print,
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
      ...(opts.team ? { team: opts.team } : {}),
      ...(opts.redirectUri ? { redirectUri: opts.redirectUri } : {}),
    });
  } catch (err) {
    if (err instanceof SlackLoginError) throw new CliError(`mcp slack login ${alias}: ${err.message}`);
    throw new CliError(`mcp slack login ${alias}: ${(err as Error).message}; nothing was saved`);
  }
  const { token, tokenPath } = result;
  const how = await writeServerEntry(ctx, alias, token.team_id, token.team_name);
  const who = [token.user_id, token.team_name ?? token.team_id].filter(Boolean).join(" in ");
  print(`Logged in to Slack as ${alias}${who ? ` (${who})` : ""}; token saved to ${tokenPath}`);
  print(`tools.mcpServers.${alias} ${how} in ${ctx.basePaths.config}`);
  return 0;
}

function slackAliasesIn(config: Config): string[] {
  return Object.entries(config.tools.mcpServers)
    .filter(([, s]) => s.auth?.provider === "slack")
    .map(([alias]) => alias);
}

function render(s: SlackAliasStatus): string {
  const lines = [`${s.alias}`];
  if (s.error) lines.push(`  error:         ${s.error}`);
  else if (!s.loggedIn) lines.push(`  logged in:     no (run kavilo mcp slack login ${s.alias})`);
  else {
    lines.push(
      `  team:          ${[s.teamName, s.teamId && `(${s.teamId})`].filter(Boolean).join(" ") || "unknown"}`,
    );
    lines.push(`  user:          ${s.userId ?? "unknown"}`);
    lines.push(`  scopes:        ${s.scopes.length ? s.scopes.join(", ") : "unknown"}`);
    const expiry = s.expiresAt
      ? `${s.expiresAt}${s.expired ? " (expired)" : ""}`
      : "never (legacy non-rotating token)";
    lines.push(`  expires:       ${expiry}`);
    lines.push(`  refresh token: ${s.refreshTokenOnFile ? "on file" : "none"}`);
  }
  lines.push(`  config entry:  ${s.configEntry ? `tools.mcpServers.${s.alias}` : "missing"}`);
  return lines.join("\n");
}

/** `kavilo mcp slack status [alias] [--json]`: no token is ever printed. */
export async function status(
  ctx: CliContext,
  aliasArg: unknown,
  opts: { json?: boolean } = {},
): Promise<number> {
  const { config, paths } = ctx.config();
  const { slackAliasStatus, slackAliasStatuses, slackTokenFilesIn } = await import(
    "../../auth/slack-mcp/status.js"
  );
  const configured = slackAliasesIn(config);
  const tokenFiles = slackTokenFilesIn(config.tools.mcpServers);
  const now = new Date();
  let list: SlackAliasStatus[];
  if (aliasArg !== undefined) {
    const alias = checkAlias(aliasArg);
    const one = await slackAliasStatus(paths, alias, configured.includes(alias), now, tokenFiles[alias]);
    if (!one.loggedIn && !one.configEntry && !one.error) {
      throw new CliError(`no Slack MCP alias "${alias}": log in with kavilo mcp slack login ${alias}`);
    }
    list = [one];
  } else {
    list = await slackAliasStatuses(paths, configured, now, tokenFiles);
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(aliasArg !== undefined ? list[0] : list, null, 2)}\n`);
  } else if (list.length === 0) {
    process.stdout.write("No Slack MCP aliases. Log in with kavilo mcp slack login <alias>.\n");
  } else {
    process.stdout.write(`${list.map(render).join("\n\n")}\n`);
  }
  return 0;
}

/** `kavilo mcp slack logout <alias> [--local-only]`: the config entry stays. */
export async function logout(
  ctx: CliContext,
  aliasArg: unknown,
  opts: { localOnly?: boolean } = {},
): Promise<number> {
  const alias = checkAlias(aliasArg);
  const { slackLogout } = await import("../../auth/slack-mcp/logout.js");
  const result = await slackLogout({
    alias,
    paths: ctx.basePaths,
    env: ctx.env,
    localOnly: Boolean(opts.localOnly),
  });
  if (!result.removed) throw new CliError(`${alias} has no saved Slack token; nothing to log out`);
  print(`Logged out of ${alias}: token ${result.revoke}, local file deleted.`);
  print(`tools.mcpServers.${alias} stays; log in again with kavilo mcp slack login ${alias}`);
  return 0;
}
