import type { ClaudeAuthStatus } from "../../auth/claude/status.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

export interface LoginCliOptions {
  /** False with --no-browser: the URL is printed only. */
  browser: boolean;
  token?: string;
  port?: string;
  timeout?: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

function positiveNumber(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new CliError(`${flag} must be a whole number 0-${max}`, 2);
  return n;
}

async function settingsOf(ctx: CliContext) {
  const { claudeOAuthSettings, ClaudeSettingsError } = await import("../../auth/claude/settings.js");
  try {
    return claudeOAuthSettings(ctx.env, ctx.config().config.auth.claude);
  } catch (err) {
    if (err instanceof ClaudeSettingsError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** `kavilo auth claude login`: the OAuth flow, or `--token` to store a token the user has. */
export async function login(ctx: CliContext, opts: LoginCliOptions): Promise<number> {
  const { paths } = ctx.config();
  const { TERMS_WARNING, claudeLogin, storeClaudeToken } = await import("../../auth/claude/login.js");
  if (opts.token !== undefined) {
    const value = opts.token === "-" ? await readStdin() : opts.token.trim();
    if (!value) throw new CliError("--token is empty: pass the token, or - to read it from stdin", 2);
    say(TERMS_WARNING);
    await storeClaudeToken(paths, value);
    const { claudeTokenPath } = await import("../../auth/claude/token-file.js");
    say(`Token saved to ${claudeTokenPath(paths)} (no refresh token: log in again when it expires).`);
    return 0;
  }
  const settings = await settingsOf(ctx);
  if (!settings.clientId) {
    throw new CliError(
      "no OAuth client id: set KAVILO_ANTHROPIC_OAUTH_CLIENT_ID (or auth.claude.clientId), or store a token you have with --token",
      2,
    );
  }
  if (opts.port !== undefined) settings.redirectPort = positiveNumber(opts.port, "--port", 65_535);
  say(TERMS_WARNING);
  try {
    const token = await claudeLogin({
      paths,
      settings,
      clientId: settings.clientId,
      openBrowser: opts.browser,
      print: say,
      ...(opts.timeout !== undefined
        ? { timeoutMs: positiveNumber(opts.timeout, "--timeout", 3600) * 1000 }
        : {}),
    });
    const who = token.account?.email ? ` as ${token.account.email}` : "";
    const { claudeTokenPath } = await import("../../auth/claude/token-file.js");
    say(`Logged in${who}; token saved to ${claudeTokenPath(paths)}`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`auth claude login: ${(err as Error).message}`);
  }
  return 0;
}

function until(iso: string, now: number): string {
  const mins = Math.round((Date.parse(iso) - now) / 60_000);
  if (mins <= 0) return `expired ${-mins} min ago`;
  if (mins < 120) return `in ${mins} min`;
  return `in ${Math.round(mins / 60)} h`;
}

export function renderStatus(s: ClaudeAuthStatus, now = Date.now()): string[] {
  if (!s.loggedIn) return ["Claude login: none (run kavilo auth claude login)"];
  const lines = [`Claude login: ${s.path}`];
  const who = [s.email ?? s.accountId, s.organization ? `organization ${s.organization}` : undefined]
    .filter(Boolean)
    .join(", ");
  lines.push(`  for:      ${who || "unknown (the token server did not say)"}`);
  lines.push(`  scopes:   ${s.scopes?.length ? s.scopes.join(" ") : "unknown"}`);
  lines.push(`  expires:  ${s.expiresAt ? `${s.expiresAt} (${until(s.expiresAt, now)})` : "unknown"}`);
  lines.push(
    `  refresh:  ${
      s.canRefresh
        ? `automatic (refresh token stored${s.refreshedAt ? `; last refreshed ${s.refreshedAt}` : ""})`
        : "none: stored with --token, log in again when it expires"
    }`,
  );
  if (s.disabled) lines.push("  in use:   no (KAVILO_ANTHROPIC_OAUTH_DISABLED is set: the API key is used)");
  return lines;
}

/** `kavilo auth claude status [--json]`: who, scopes, expiry; the token is never printed. */
export async function status(ctx: CliContext, opts: { json?: boolean }): Promise<number> {
  const { claudeAuthStatus } = await import("../../auth/claude/status.js");
  let s: ClaudeAuthStatus;
  try {
    s = await claudeAuthStatus(ctx.config().paths, ctx.env);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  else process.stdout.write(`${renderStatus(s).join("\n")}\n`);
  return 0;
}

/** `kavilo auth claude logout [--local-only]`: revoke best-effort, delete the file. */
export async function logout(ctx: CliContext, opts: { localOnly?: boolean }): Promise<number> {
  const settings = await settingsOf(ctx);
  const { claudeLogout } = await import("../../auth/claude/logout.js");
  const r = await claudeLogout(ctx.config().paths, settings, { localOnly: opts.localOnly === true });
  if (!r.removed) {
    say("No Claude login to remove.");
    return 0;
  }
  switch (r.revoke.kind) {
    case "revoked":
      say("Token revoked at the server.");
      break;
    case "no-endpoint":
      say(
        "Not revoked at the server (no revoke endpoint: set KAVILO_ANTHROPIC_OAUTH_REVOKE_URL); it stays valid until it expires.",
      );
      break;
    case "failed":
      ctx.warn(`could not revoke the token (${r.revoke.reason}); it stays valid until it expires`);
      break;
    case "skipped":
      break;
  }
  say(`Logged out: removed ${r.path}`);
  return 0;
}
