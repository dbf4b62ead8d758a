import type { Config } from "../../core/base/config-types.js";

/** Anthropic's public OAuth endpoints: the consent page on claude.ai, the token endpoint on the console. */
export const DEFAULT_AUTHORIZE_URL = "https://claude.ai/oauth/authorize";
export const DEFAULT_TOKEN_URL = "https://console.anthropic.com/v1/oauth/token";
/** What a chat client needs: who the user is, and inference. */
export const DEFAULT_SCOPES = "user:profile user:inference";
/** 0: any free loopback port (RFC 8252 §7.3 lets a native app's loopback redirect use any port). */
export const DEFAULT_REDIRECT_PORT = 0;
export const CALLBACK_PATH = "/callback";

export const ENV = {
  clientId: "KAVILO_ANTHROPIC_OAUTH_CLIENT_ID",
  authorizeUrl: "KAVILO_ANTHROPIC_OAUTH_AUTHORIZE_URL",
  tokenUrl: "KAVILO_ANTHROPIC_OAUTH_TOKEN_URL",
  revokeUrl: "KAVILO_ANTHROPIC_OAUTH_REVOKE_URL",
  redirectPort: "KAVILO_ANTHROPIC_OAUTH_REDIRECT_PORT",
  disabled: "KAVILO_ANTHROPIC_OAUTH_DISABLED",
} as const;

export type ClaudeAuthConfig = Config["auth"]["claude"];

/** The OAuth client kavilo talks to: env wins over `auth.claude` in config.json, which wins over defaults. */
export interface ClaudeOAuthSettings {
  /** No client id is built in: kavilo does not present itself as another product. */
  clientId: string | undefined;
  authorizeUrl: string;
  tokenUrl: string;
  /** Anthropic publishes no revoke endpoint: without one, logout only deletes the local file. */
  revokeUrl: string | undefined;
  /** True when the token URL came from env or config rather than the default. */
  tokenUrlSet: boolean;
  scopes: string;
  redirectPort: number;
}

export class ClaudeSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClaudeSettingsError";
  }
}

function url(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  try {
    const u = new URL(value);
    if (u.protocol === "https:" || u.protocol === "http:") return value;
  } catch {
    // reported below
  }
  throw new ClaudeSettingsError(`${name} is not an http(s) URL: ${value}`);
}

function port(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new ClaudeSettingsError(`${ENV.redirectPort} must be a port number (0-65535), not "${value}"`);
  }
  return n;
}

export function claudeOAuthSettings(
  env: NodeJS.ProcessEnv,
  cfg: Partial<ClaudeAuthConfig> = {},
): ClaudeOAuthSettings {
  const pick = (key: keyof typeof ENV) => env[ENV[key]]?.trim() || undefined;
  const tokenUrl =
    url(pick("tokenUrl"), ENV.tokenUrl) ?? url(cfg.tokenUrl, "auth.claude.tokenUrl") ?? undefined;
  return {
    clientId: pick("clientId") ?? (cfg.clientId?.trim() || undefined),
    authorizeUrl:
      url(pick("authorizeUrl"), ENV.authorizeUrl) ??
      url(cfg.authorizeUrl, "auth.claude.authorizeUrl") ??
      DEFAULT_AUTHORIZE_URL,
    tokenUrl: tokenUrl ?? DEFAULT_TOKEN_URL,
    tokenUrlSet: tokenUrl !== undefined,
    revokeUrl: url(pick("revokeUrl"), ENV.revokeUrl) ?? url(cfg.revokeUrl, "auth.claude.revokeUrl"),
    scopes: cfg.scopes?.trim() || DEFAULT_SCOPES,
    redirectPort: port(env[ENV.redirectPort]) ?? cfg.redirectPort ?? DEFAULT_REDIRECT_PORT,
  };
}

/** KAVILO_ANTHROPIC_OAUTH_DISABLED=1 (or true/yes) forces the API-key path. */
export function claudeOAuthDisabled(env: NodeJS.ProcessEnv): boolean {
  return /^(1|true|yes|on)$/i.test(env[ENV.disabled]?.trim() ?? "");
}
