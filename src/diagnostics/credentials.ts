import { stat } from "node:fs/promises";
import { readAwsSsoConfig } from "../auth/aws-sso/config-file.js";
import { parseSsoCache, ssoCachePath } from "../auth/aws-sso/token-cache.js";
import { claudeAuthStatus } from "../auth/claude/status.js";
import { codexLoginStatus } from "../auth/codex/login-status.js";
import { codexAuthPath } from "../auth/codex/paths.js";
import { slackAliasStatuses, slackTokenFilesIn } from "../auth/slack-mcp/status.js";
import { readTokenJson } from "../auth/token-store.js";
import type { Paths } from "../core/base/paths.js";
import type { Config } from "../core/config/schema.js";
import { mcpAuthState } from "../mcp/client/auth-state.js";
import { octal } from "./home.js";
import type { Check, Probe } from "./types.js";

/** A token file others can read: a warning with the chmod `doctor --fix` makes. */
async function modeCheck(id: string, path: string): Promise<Check | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st || (st.mode & 0o077) === 0) return undefined;
  return {
    id: `${id}.mode`,
    area: "credentials",
    status: "warn",
    summary: `${path} is ${octal(st.mode)}; a token file should be 0600`,
    fix: `chmod 600 ${path} (kavilo doctor --fix does it)`,
    repair: { kind: "chmod", path, mode: 0o600 },
  };
}

const expiryText = (iso: string | undefined, now: Date) =>
  !iso ? "" : Date.parse(iso) <= now.getTime() ? `, expired ${iso}` : `, expires ${iso}`;

/** The Codex CLI login ($CODEX_HOME/auth.json), when the provider needs it or the file exists. */
export async function codexCheck(env: NodeJS.ProcessEnv, wanted: boolean, now: Date): Promise<Check[]> {
  const id = "credentials.codex";
  const s = await codexLoginStatus(env);
  // A token file others can read is worth a word whatever it holds.
  const mode = await modeCheck(id, codexAuthPath(env));
  const withMode = (checks: Check[]) => (mode ? [...checks, mode] : checks);
  if (s.state !== "ok") {
    if (!wanted && s.state === "missing")
      return [{ id, area: "credentials", status: "skip", summary: "no Codex login" }];
    return withMode([
      { id, area: "credentials", status: "fail", summary: `Codex: ${s.message}`, fix: "run codex login" },
    ]);
  }
  const expired = s.expiresAt !== undefined && Date.parse(s.expiresAt) <= now.getTime();
  const checks: Check[] = [
    {
      id,
      area: "credentials",
      status: expired ? "warn" : "ok",
      summary: `Codex login ${s.email ?? s.accountId ?? "present"}${expiryText(s.expiresAt, now)}`,
      ...(expired ? { fix: "kavilo refreshes it on the next request (or run codex login)" } : {}),
    },
  ];
  return withMode(checks);
}

/** The Claude Pro/Max login (<home>/auth/anthropic/oauth.json). */
export async function claudeCheck(paths: Paths, env: NodeJS.ProcessEnv, now: Date): Promise<Check> {
  const id = "credentials.claude";
  const s = await claudeAuthStatus(paths, env, now.getTime());
  if (!s.loggedIn) return { id, area: "credentials", status: "skip", summary: "no Claude login" };
  const who = s.email ?? s.organization ?? "Claude account";
  if (s.expired && !s.canRefresh) {
    return {
      id,
      area: "credentials",
      status: "fail",
      summary: `Claude login ${who}${expiryText(s.expiresAt, now)} and cannot be refreshed`,
      fix: "run kavilo auth claude login",
    };
  }
  return {
    id,
    area: "credentials",
    status: "ok",
    summary: `Claude login ${who}${expiryText(s.expiresAt, now)}${s.expired ? " (refreshes on the next request)" : ""}`,
  };
}

/** The OAuth logins of the configured http MCP servers (<home>/mcp-auth/<alias>.json). */
export async function mcpOAuthChecks(config: Config, paths: Paths, now: Date): Promise<Check[]> {
  const out: Check[] = [];
  for (const [alias, s] of Object.entries(config.tools.mcpServers)) {
    if (s.type !== "http" || !s.enabled || (s.auth && s.auth.provider !== "oauth")) continue;
    const id = `credentials.mcp.${alias}`;
    const a = await mcpAuthState(alias, s, paths, { now: () => now });
    if (a.state === "none") continue;
    if (a.state === "error") {
      out.push({
        id,
        area: "credentials",
        status: "fail",
        summary: `MCP ${alias}: ${a.error}`,
        fix: `run kavilo mcp login --server ${alias}`,
      });
    } else if (a.state === "missing") {
      out.push({
        id,
        area: "credentials",
        status: "warn",
        summary: `MCP ${alias}: not logged in`,
        fix: `run kavilo mcp login --server ${alias}`,
      });
    } else {
      const exp = "expiresAt" in a ? a.expiresAt : undefined;
      out.push({
        id,
        area: "credentials",
        status: "ok",
        summary: `MCP ${alias}: login ${a.state}${expiryText(exp, now)}${a.state === "expired" ? " (refreshes on use)" : ""}`,
      });
    }
  }
  return out;
}

/** Slack MCP logins (<home>/mcp-auth/slack/<alias>.json). */
export async function slackMcpChecks(config: Config, paths: Paths, now: Date): Promise<Check[]> {
  const aliases = Object.entries(config.tools.mcpServers)
    .filter(([, s]) => s.auth?.provider === "slack")
    .map(([alias]) => alias);
  const rows = await slackAliasStatuses(paths, aliases, now, slackTokenFilesIn(config.tools.mcpServers));
  return rows.map((r): Check => {
    const id = `credentials.slack-mcp.${r.alias}`;
    const login = `run kavilo mcp slack login ${r.alias}`;
    if (r.error)
      return {
        id,
        area: "credentials",
        status: "fail",
        summary: `Slack MCP ${r.alias}: ${r.error}`,
        fix: login,
      };
    if (!r.loggedIn)
      return {
        id,
        area: "credentials",
        status: r.configEntry ? "fail" : "skip",
        summary: `Slack MCP ${r.alias}: not logged in`,
        ...(r.configEntry ? { fix: login } : {}),
      };
    const team = r.teamName ?? r.teamId ?? "workspace";
    if (r.expired && !r.refreshTokenOnFile) {
      return {
        id,
        area: "credentials",
        status: "fail",
        summary: `Slack MCP ${r.alias} (${team})${expiryText(r.expiresAt, now)}`,
        fix: login,
      };
    }
    return {
      id,
      area: "credentials",
      status: r.expired ? "warn" : "ok",
      summary: `Slack MCP ${r.alias} (${team})${expiryText(r.expiresAt, now)}`,
      ...(r.expired ? { fix: "kavilo start's refresher renews it; or " + login } : {}),
    };
  });
}

/** The AWS SSO token cache of each [sso-session] in the AWS config file: present, expiry, mode. */
export async function awsSsoChecks(env: NodeJS.ProcessEnv, now: Date): Promise<Check[]> {
  const aws = await readAwsSsoConfig(env);
  if (!aws || aws.sessions.length === 0) return [];
  const out: Check[] = [];
  for (const s of aws.sessions) {
    const id = `credentials.aws-sso.${s.name}`;
    const path = ssoCachePath(env, s.name);
    const login = `run aws sso login --sso-session ${s.name}`;
    const json = await readTokenJson(path).catch((err: Error) => err);
    if (json instanceof Error) {
      out.push({
        id,
        area: "credentials",
        status: "fail",
        summary: `AWS SSO ${s.name}: ${json.message}`,
        fix: login,
      });
      continue;
    }
    const token = json ? parseSsoCache(json) : undefined;
    if (!token?.accessToken) {
      out.push({
        id,
        area: "credentials",
        status: "warn",
        summary: `AWS SSO ${s.name}: no cached token`,
        fix: login,
      });
      continue;
    }
    const exp = token.expiresAt?.toISOString();
    const expired = token.expiresAt !== undefined && token.expiresAt.getTime() <= now.getTime();
    out.push({
      id,
      area: "credentials",
      status: expired ? (token.refreshToken ? "warn" : "fail") : "ok",
      summary: `AWS SSO ${s.name}${expiryText(exp, now)}${expired && token.refreshToken ? " (the refresher renews it while kavilo start runs)" : ""}`,
      ...(expired ? { fix: login } : {}),
    });
    const mode = await modeCheck(id, path);
    if (mode) out.push(mode);
  }
  return out;
}

export function credentialProbes(
  config: Config,
  paths: Paths,
  env: NodeJS.ProcessEnv,
  now = new Date(),
): Probe[] {
  const p = (id: string, run: () => Promise<Check | Check[]>): Probe => ({
    id,
    area: "credentials",
    network: false,
    run,
  });
  return [
    p("credentials.codex", () => codexCheck(env, config.agents.defaults.provider === "openai_codex", now)),
    p("credentials.claude", () => claudeCheck(paths, env, now)),
    p("credentials.mcp", () => mcpOAuthChecks(config, paths, now)),
    p("credentials.slack-mcp", () => slackMcpChecks(config, paths, now)),
    p("credentials.aws-sso", () => awsSsoChecks(env, now)),
  ];
}
