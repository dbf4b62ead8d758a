import { describe, expect, it } from "vitest";
import {
  ClaudeSettingsError,
  claudeOAuthDisabled,
  claudeOAuthSettings,
  DEFAULT_AUTHORIZE_URL,
  DEFAULT_TOKEN_URL,
} from "../../src/auth/claude/settings.js";
import { type ClaudeToken, refreshDue } from "../../src/auth/claude/token-file.js";
import { createPkce, randomState, s256Challenge } from "../../src/auth/pkce.js";
import { renderStatus } from "../../src/cli/commands/auth-claude.js";

describe("claudeOAuthSettings", () => {
  it("defaults to Anthropic's public endpoints, no client id, no revoke URL, any free port", () => {
    expect(claudeOAuthSettings({})).toEqual({
      clientId: undefined,
      authorizeUrl: DEFAULT_AUTHORIZE_URL,
      tokenUrl: DEFAULT_TOKEN_URL,
      tokenUrlSet: false,
      revokeUrl: undefined,
      scopes: "user:profile user:inference",
      redirectPort: 0,
    });
  });

  it("takes auth.claude from config, and the environment wins over it", () => {
    const cfg = {
      clientId: "from-config",
      tokenUrl: "https://idp.example.com/token",
      revokeUrl: "https://idp.example.com/revoke",
      scopes: "user:inference",
      redirectPort: 8123,
    };
    expect(claudeOAuthSettings({}, cfg)).toMatchObject({ ...cfg, tokenUrlSet: true });
    const env = {
      KAVILO_ANTHROPIC_OAUTH_CLIENT_ID: "from-env",
      KAVILO_ANTHROPIC_OAUTH_TOKEN_URL: "http://127.0.0.1:9/token",
      KAVILO_ANTHROPIC_OAUTH_REDIRECT_PORT: "9000",
    };
    expect(claudeOAuthSettings(env, cfg)).toMatchObject({
      clientId: "from-env",
      tokenUrl: "http://127.0.0.1:9/token",
      revokeUrl: "https://idp.example.com/revoke",
      redirectPort: 9000,
    });
  });

  it("names the variable of a URL or port that is wrong", () => {
    expect(() => claudeOAuthSettings({ KAVILO_ANTHROPIC_OAUTH_AUTHORIZE_URL: "claude.ai/oauth" })).toThrow(
      new ClaudeSettingsError("KAVILO_ANTHROPIC_OAUTH_AUTHORIZE_URL is not an http(s) URL: claude.ai/oauth"),
    );
    expect(() => claudeOAuthSettings({ KAVILO_ANTHROPIC_OAUTH_REDIRECT_PORT: "http" })).toThrow(
      /KAVILO_ANTHROPIC_OAUTH_REDIRECT_PORT must be a port number/,
    );
  });

  it("KAVILO_ANTHROPIC_OAUTH_DISABLED takes 1/true/yes", () => {
    expect(claudeOAuthDisabled({ KAVILO_ANTHROPIC_OAUTH_DISABLED: "1" })).toBe(true);
    expect(claudeOAuthDisabled({ KAVILO_ANTHROPIC_OAUTH_DISABLED: "true" })).toBe(true);
    expect(claudeOAuthDisabled({ KAVILO_ANTHROPIC_OAUTH_DISABLED: "0" })).toBe(false);
    expect(claudeOAuthDisabled({})).toBe(false);
  });
});

describe("PKCE and refresh due-ness", () => {
  it("a fresh verifier is 43 base64url characters and its challenge is S256", () => {
    const p = createPkce();
    expect(p.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.challenge).toBe(s256Challenge(p.verifier));
    expect(p.method).toBe("S256");
    expect(randomState()).not.toBe(randomState());
  });

  const token = (expiresAt: string | undefined, refreshToken: string | undefined = "rt"): ClaudeToken => ({
    accessToken: "at",
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    scopes: [],
    source: "login",
    savedAt: "2026-01-01T00:00:00Z",
  });
  const now = Date.parse("2026-06-01T12:00:00Z");

  it("is due within five minutes of expiry, not before, and never without a refresh token or expiry", () => {
    expect(refreshDue(token("2026-06-01T12:04:59Z"), now)).toBe(true);
    expect(refreshDue(token("2026-06-01T11:00:00Z"), now)).toBe(true);
    expect(refreshDue(token("2026-06-01T12:05:01Z"), now)).toBe(false);
    expect(refreshDue(token("2026-06-01T11:00:00Z", ""), now)).toBe(false);
    expect(refreshDue(token(undefined), now)).toBe(false);
  });
});

describe("auth claude status text", () => {
  const now = Date.parse("2026-06-01T12:00:00Z");
  it("says who, scopes, expiry and refresh; a pasted token cannot refresh; disabled is said", () => {
    const lines = renderStatus(
      {
        loggedIn: true,
        path: "/h/auth/anthropic/oauth.json",
        disabled: true,
        source: "token",
        scopes: [],
        expiresAt: "2026-06-01T11:50:00.000Z",
        expired: true,
        canRefresh: false,
      },
      now,
    );
    expect(lines).toEqual([
      "Claude login: /h/auth/anthropic/oauth.json",
      "  for:      unknown (the token server did not say)",
      "  scopes:   unknown",
      "  expires:  2026-06-01T11:50:00.000Z (expired 10 min ago)",
      "  refresh:  none: stored with --token, log in again when it expires",
      "  in use:   no (KAVILO_ANTHROPIC_OAUTH_DISABLED is set: the API key is used)",
    ]);
    expect(renderStatus({ loggedIn: false, path: "/x", disabled: false })).toEqual([
      "Claude login: none (run kavilo auth claude login)",
    ]);
  });
});
