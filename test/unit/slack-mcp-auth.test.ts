import { describe, expect, it } from "vitest";
import { redirectPort, slackEndpoints } from "../../src/auth/slack-mcp/endpoints.js";
import { cannotRefresh, isDue, tokenFromGrant } from "../../src/auth/slack-mcp/refresh.js";
import { userGrantOf } from "../../src/auth/slack-mcp/web-api.js";
import { slackErrorLine } from "../../src/mcp/servers/slack/slack-api.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const at = (s: number) => new Date(NOW.getTime() + s * 1000).toISOString();

describe("Slack MCP auth helpers", () => {
  it("reads a user grant from authed_user or the top level, and refuses one without a user token", () => {
    const nested = userGrantOf("m", {
      ok: true,
      access_token: "xoxb-bot-token-ignored",
      team: { id: "T1", name: "One" },
      authed_user: { id: "U1", access_token: "xoxp-user", refresh_token: "r1", expires_in: 60, scope: "a,b" },
    });
    expect(nested).toEqual({
      accessToken: "xoxp-user",
      refreshToken: "r1",
      expiresIn: 60,
      scope: "a,b",
      userId: "U1",
      teamId: "T1",
      teamName: "One",
    });
    const top = userGrantOf("m", { ok: true, access_token: "xoxp-top", user_id: "U2", team: { id: "T2" } });
    expect(top).toEqual({ accessToken: "xoxp-top", userId: "U2", teamId: "T2" });
    expect(() => userGrantOf("oauth.v2.user.access", { ok: true, team: { id: "T" } })).toThrow(
      "Slack oauth.v2.user.access answered no user access token",
    );
  });

  it("is due inside the 60 s leeway, never without an expiry; says why a token cannot be refreshed", () => {
    expect(isDue({ access_token: "a", expires_at: at(61) }, NOW)).toBe(false);
    expect(isDue({ access_token: "a", expires_at: at(60) }, NOW)).toBe(true);
    expect(isDue({ access_token: "a", expires_at: at(-5) }, NOW)).toBe(true);
    // epoch seconds, as older files hold it
    expect(isDue({ access_token: "a", expires_at: NOW.getTime() / 1000 + 30 }, NOW)).toBe(true);
    expect(isDue({ access_token: "a" }, NOW)).toBe(false);
    expect(cannotRefresh("w", { access_token: "a" })).toMatch(/^legacy non-rotating token/);
    expect(cannotRefresh("w", { access_token: "a", expires_at: at(1) })).toBe(
      "no refresh token on file; run kavilo mcp slack login w --force",
    );
    expect(cannotRefresh("w", { access_token: "a", expires_at: at(1), refresh_token: "r" })).toBeUndefined();
  });

  it("a rotated grant keeps the team and user the refresh answer leaves out", () => {
    const prev = { access_token: "old", refresh_token: "r0", team_id: "T1", team_name: "One", user_id: "U1" };
    const next = tokenFromGrant({ accessToken: "new", refreshToken: "r1", expiresIn: 43_200 }, NOW, prev);
    expect(next).toEqual({
      access_token: "new",
      refresh_token: "r1",
      expires_at: at(43_200),
      team_id: "T1",
      team_name: "One",
      user_id: "U1",
      saved_at: NOW.toISOString(),
    });
  });

  it("endpoints and the redirect port come from the environment", () => {
    expect(slackEndpoints({})).toEqual({
      authorizeUrl: "https://slack.com/oauth/v2_user/authorize",
      apiUrl: "https://slack.com/api/",
    });
    expect(slackEndpoints({ KAVILO_SLACK_API_URL: "https://acme.enterprise.slack.com/api" }).apiUrl).toBe(
      "https://acme.enterprise.slack.com/api/",
    );
    expect(redirectPort({})).toBe(7898);
    expect(redirectPort({ KAVILO_SLACK_OAUTH_PORT: "0" })).toBe(0);
    expect(() => redirectPort({ KAVILO_SLACK_OAUTH_PORT: "http" })).toThrow(
      'KAVILO_SLACK_OAUTH_PORT must be a port number (0-65535), not "http"',
    );
  });

  it("words Slack's errors: the code, the missing scope, or the login line", () => {
    const platform = (data: Record<string, string>) =>
      Object.assign(new Error("An API error occurred"), { data });
    expect(slackErrorLine("w", "chat.postMessage", platform({ error: "channel_not_found" }))).toBe(
      "Slack chat.postMessage failed: channel_not_found",
    );
    expect(
      slackErrorLine(
        "w",
        "search.messages",
        platform({ error: "missing_scope", needed: "search:read.public" }),
      ),
    ).toMatch(
      /^Slack search.messages failed: missing_scope \(needs search:read.public\); .* kavilo mcp slack login w --force$/,
    );
    expect(slackErrorLine("w", "auth.test", platform({ error: "token_revoked" }))).toBe(
      "MCP_AUTH_REQUIRED:server=w; reason=invalid_token; run kavilo mcp slack login w --force",
    );
    expect(slackErrorLine("w", "auth.test", new Error("socket hang up"))).toBe(
      "Slack auth.test failed: socket hang up",
    );
  });
});
