import { configuredPath, type Paths } from "../../core/base/paths.js";
import {
  expiryOf,
  listSlackAliases,
  readSlackApp,
  readSlackTokenFile,
  slackTokenPath,
} from "./token-file.js";

/** Alias → the token file its config entry names (`auth.tokenFile`), as configured. */
export type SlackTokenFiles = Readonly<Record<string, string>>;

/** The `provider: "slack"` entries of tools.mcpServers that keep their token in `auth.tokenFile`. */
export function slackTokenFilesIn(
  servers: Readonly<
    Record<string, { auth?: { provider?: string; tokenFile?: string | undefined } | undefined }>
  >,
): SlackTokenFiles {
  const out: Record<string, string> = {};
  for (const [alias, s] of Object.entries(servers)) {
    if (s.auth?.provider === "slack" && s.auth.tokenFile) out[alias] = s.auth.tokenFile;
  }
  return out;
}

/** One alias as `mcp slack status` shows it. Never a token. */
export interface SlackAliasStatus {
  alias: string;
  loggedIn: boolean;
  teamId?: string;
  teamName?: string;
  userId?: string;
  scopes: string[];
  /** ISO; absent for a legacy non-rotating token. */
  expiresAt?: string;
  expired?: boolean;
  refreshTokenOnFile: boolean;
  appOnFile: boolean;
  configEntry: boolean;
  /** The file exists but cannot be read. */
  error?: string;
}

export async function slackAliasStatus(
  paths: Paths,
  alias: string,
  configEntry: boolean,
  now: Date,
  /** The entry's auth.tokenFile, when it keeps the token there instead of `<alias>.json`. */
  tokenFile?: string,
): Promise<SlackAliasStatus> {
  const base: SlackAliasStatus = {
    alias,
    loggedIn: false,
    scopes: [],
    refreshTokenOnFile: false,
    appOnFile: Boolean(await readSlackApp(paths, alias).catch(() => undefined)),
    configEntry,
  };
  let token: Awaited<ReturnType<typeof readSlackTokenFile>>;
  try {
    const path = tokenFile ? configuredPath(tokenFile, paths.home) : slackTokenPath(paths, alias);
    token = await readSlackTokenFile(path);
  } catch (err) {
    return { ...base, error: (err as Error).message };
  }
  if (!token) return base;
  const expiry = expiryOf(token);
  return {
    ...base,
    loggedIn: true,
    ...(token.team_id ? { teamId: token.team_id } : {}),
    ...(token.team_name ? { teamName: token.team_name } : {}),
    ...(token.user_id ? { userId: token.user_id } : {}),
    scopes: (token.scope ?? "").split(",").filter(Boolean),
    ...(expiry ? { expiresAt: expiry.toISOString(), expired: expiry.getTime() <= now.getTime() } : {}),
    refreshTokenOnFile: Boolean(token.refresh_token),
  };
}

/** Every alias with a token file or a `provider: "slack"` config entry, sorted. */
export async function slackAliasStatuses(
  paths: Paths,
  configAliases: readonly string[],
  now: Date,
  tokenFiles: SlackTokenFiles = {},
): Promise<SlackAliasStatus[]> {
  const aliases = new Set([...(await listSlackAliases(paths)), ...configAliases]);
  const configured = new Set(configAliases);
  return Promise.all(
    [...aliases]
      .sort()
      .map((alias) => slackAliasStatus(paths, alias, configured.has(alias), now, tokenFiles[alias])),
  );
}
