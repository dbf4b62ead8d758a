import { readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClaudeAuthError, claudeCredentialsGetter, OAUTH_BETA } from "../../src/auth/claude/credentials.js";
import { claudeLogin, storeClaudeToken } from "../../src/auth/claude/login.js";
import { claudeLogout } from "../../src/auth/claude/logout.js";
import { isSubscriptionRejection } from "../../src/auth/claude/rejection.js";
import { type ClaudeOAuthSettings, claudeOAuthSettings } from "../../src/auth/claude/settings.js";
import { claudeAuthStatus } from "../../src/auth/claude/status.js";
import { claudeTokenPath } from "../../src/auth/claude/token-file.js";
import { s256Challenge } from "../../src/auth/pkce.js";
import { makePaths } from "../../src/core/base/paths.js";
import { configSchema } from "../../src/core/config/schema.js";
import { resolveProvider } from "../../src/providers/resolve.js";
import {
  type FakeAnthropicOAuth,
  playBrowser,
  startFakeAnthropicOAuth,
} from "../fakes/anthropic-oauth-server.js";
import { tempHome } from "../helpers/cli.js";

let fake: FakeAnthropicOAuth | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function settingsFor(f: FakeAnthropicOAuth): ClaudeOAuthSettings {
  return claudeOAuthSettings({
    KAVILO_ANTHROPIC_OAUTH_CLIENT_ID: f.clientId,
    KAVILO_ANTHROPIC_OAUTH_AUTHORIZE_URL: f.authorizeUrl,
    KAVILO_ANTHROPIC_OAUTH_TOKEN_URL: f.tokenUrl,
    KAVILO_ANTHROPIC_OAUTH_REVOKE_URL: f.revokeUrl,
  });
}

async function loggedIn(f: FakeAnthropicOAuth) {
  const paths = makePaths(join(tempHome(), ".kavilo"));
  const settings = settingsFor(f);
  await claudeLogin({
    paths,
    settings,
    clientId: f.clientId,
    openBrowser: true,
    openUrl: async (url) => void (await playBrowser(url)),
    print: () => {},
  });
  return { paths, settings, path: claudeTokenPath(paths) };
}

async function fileOf(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
}

describe("Claude OAuth login", () => {
  it("runs code + PKCE S256 through the loopback and stores the tokens 0600 in a 0700 folder", async () => {
    fake = await startFakeAnthropicOAuth();
    const { path } = await loggedIn(fake);
    const q = fake.authorizeQueries[0];
    expect(q?.get("code_challenge_method")).toBe("S256");
    expect(q?.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(q?.get("scope")).toBe("user:profile user:inference");
    expect(q?.get("state")).toBeTruthy();
    expect(q?.get("state")).not.toBe(q?.get("code_challenge"));
    expect(fake.stats.codeExchanges).toBe(1);
    const file = await fileOf(path);
    expect(fake.isAccessTokenActive(String(file.accessToken))).toBe(true);
    expect(file.refreshToken).toBe(fake.currentRefreshToken());
    expect(file).toMatchObject({
      source: "login",
      clientId: fake.clientId,
      scopes: ["user:profile", "user:inference"],
      account: { email: "ada@example.com", uuid: "acc-0001" },
      organization: { name: "Ada's Org" },
    });
    expect(Date.parse(String(file.expiresAt)) - Date.now()).toBeGreaterThan(3500_000);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
  });

  it("writes nothing when the redirect carries another state", async () => {
    fake = await startFakeAnthropicOAuth();
    fake.tamperNextState("forged-state");
    const paths = makePaths(join(tempHome(), ".kavilo"));
    let status = 0;
    await expect(
      claudeLogin({
        paths,
        settings: settingsFor(fake),
        clientId: fake.clientId,
        openBrowser: true,
        openUrl: async (url) => {
          status = await playBrowser(url);
        },
        print: () => {},
        timeoutMs: 400,
      }),
    ).rejects.toThrow(/no OAuth redirect arrived/);
    expect(status).toBe(400);
    expect(fake.stats.codeExchanges).toBe(0);
    await expect(stat(claudeTokenPath(paths))).rejects.toThrow(/ENOENT/);
  });

  it("PKCE: the challenge is the S256 of the verifier (RFC 7636 appendix B)", () => {
    expect(s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });
});

describe("claudeCredentialsGetter", () => {
  it("returns the bearer and the beta header; no refresh while the token is fresh", async () => {
    fake = await startFakeAnthropicOAuth();
    const { paths, path } = await loggedIn(fake);
    const creds = await claudeCredentialsGetter(paths, {})();
    expect(creds).toEqual({
      bearer: (await fileOf(path)).accessToken,
      headers: { "anthropic-beta": OAUTH_BETA },
    });
    expect(creds.apiKey).toBeUndefined();
    expect(fake.stats.refreshes).toBe(0);
  });

  it("refreshes within five minutes of expiry, rotating both tokens in the file", async () => {
    fake = await startFakeAnthropicOAuth();
    const { paths, path } = await loggedIn(fake);
    const before = await fileOf(path);
    await writeFile(
      path,
      JSON.stringify({ ...before, expiresAt: new Date(Date.now() + 240_000).toISOString(), extra: "kept" }),
    );
    const creds = await claudeCredentialsGetter(paths, {})();
    const after = await fileOf(path);
    expect(fake.stats.refreshes).toBe(1);
    expect(creds.bearer).toBe(after.accessToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(fake.currentRefreshToken());
    expect(after.extra).toBe("kept");
    expect(after.refreshedAt).toBeTruthy();
    expect(fake.isAccessTokenActive(String(creds.bearer))).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("forceRefresh after a 401 refreshes once; a getter whose refused token was already rotated adopts the new one", async () => {
    fake = await startFakeAnthropicOAuth();
    const { paths } = await loggedIn(fake);
    const a = claudeCredentialsGetter(paths, {});
    const b = claudeCredentialsGetter(paths, {});
    const first = await a();
    expect(await b()).toEqual(first);
    const fresh = await a({ forceRefresh: true });
    expect(fresh.bearer).not.toBe(first.bearer);
    expect(fake.stats.refreshes).toBe(1);
    // b was refused the old token too: the file already holds another one, so no second refresh.
    expect((await b({ forceRefresh: true })).bearer).toBe(fresh.bearer);
    expect(fake.stats.refreshes).toBe(1);
  });

  it("two getters hitting an expired token at once rotate it exactly once and both get the new token", async () => {
    fake = await startFakeAnthropicOAuth();
    const { paths, path } = await loggedIn(fake);
    const before = await fileOf(path);
    await writeFile(
      path,
      JSON.stringify({ ...before, expiresAt: new Date(Date.now() - 1000).toISOString() }),
    );
    const [x, y] = await Promise.all([
      claudeCredentialsGetter(paths, {})(),
      claudeCredentialsGetter(paths, {})(),
    ]);
    expect(fake.stats.refreshes).toBe(1);
    expect(x.bearer).toBe(y.bearer);
    expect(x.bearer).toBe((await fileOf(path)).accessToken);
  });

  it("a refresh token the server rejects is one line that says to log in again", async () => {
    fake = await startFakeAnthropicOAuth();
    const { paths, path, settings } = await loggedIn(fake);
    const before = await fileOf(path);
    await claudeLogout(paths, settings); // revokes the grant
    await writeFile(
      path,
      JSON.stringify({ ...before, expiresAt: new Date(Date.now() - 1000).toISOString() }),
    );
    const err = await claudeCredentialsGetter(paths, {})().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClaudeAuthError);
    expect((err as Error).message).toMatch(/expired or was revoked: run kavilo auth claude login again/);
    expect((err as Error).message).not.toContain(String(before.refreshToken));
  });

  it("without a login it says how to log in", async () => {
    const paths = makePaths(join(tempHome(), ".kavilo"));
    await expect(claudeCredentialsGetter(paths, {})()).rejects.toThrow(
      /no Claude login: run kavilo auth claude login/,
    );
  });

  it("a token stored with --token is sent as is and never refreshed", async () => {
    const paths = makePaths(join(tempHome(), ".kavilo"));
    await storeClaudeToken(paths, "sk-ant-oat01-pasted");
    const get = claudeCredentialsGetter(paths, {});
    expect((await get()).bearer).toBe("sk-ant-oat01-pasted");
    expect((await get({ forceRefresh: true })).bearer).toBe("sk-ant-oat01-pasted");
    const s = await claudeAuthStatus(paths, {});
    expect(s).toMatchObject({ loggedIn: true, source: "token", canRefresh: false });
  });
});

describe("logout and status", () => {
  it("status names who, scopes and expiry; logout revokes the refresh token and deletes the file", async () => {
    fake = await startFakeAnthropicOAuth();
    const { paths, path, settings } = await loggedIn(fake);
    const s = await claudeAuthStatus(paths, {});
    expect(s).toMatchObject({
      loggedIn: true,
      email: "ada@example.com",
      scopes: ["user:profile", "user:inference"],
      expired: false,
      canRefresh: true,
    });
    expect(JSON.stringify(s)).not.toContain(String((await fileOf(path)).accessToken));
    const refresh = fake.currentRefreshToken();
    const r = await claudeLogout(paths, settings);
    expect(r).toMatchObject({ removed: true, revoke: { kind: "revoked" } });
    expect(fake.revoked).toEqual([refresh]);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it("--local-only skips the revoke; no revoke URL says so", async () => {
    fake = await startFakeAnthropicOAuth();
    const { paths, settings } = await loggedIn(fake);
    expect(await claudeLogout(paths, settings, { localOnly: true })).toMatchObject({
      removed: true,
      revoke: { kind: "skipped" },
    });
    expect(fake.stats.revocations).toBe(0);
    await storeClaudeToken(paths, "sk-ant-oat01-pasted");
    expect(await claudeLogout(paths, { ...settings, revokeUrl: undefined })).toMatchObject({
      removed: true,
      revoke: { kind: "no-endpoint" },
    });
  });
});

it("recognizes Anthropic's refusal of a subscription token outside its apps", () => {
  const msg =
    "This credential is only authorized for use with Claude Code and cannot be used for other API requests.";
  expect(isSubscriptionRejection(400, msg)).toBe(true);
  expect(isSubscriptionRejection(500, msg)).toBe(false);
  expect(isSubscriptionRejection(400, "max_tokens: too large")).toBe(false);
});

describe("resolution with a Claude login and no API key", () => {
  const config = configSchema.parse({ agents: { defaults: { model: "claude-sonnet-4-5" } } });

  it("picks anthropic (Anthropic's own host) instead of failing for a missing key", async () => {
    const r = await resolveProvider({ config, env: {}, loggedIn: new Set(["anthropic"]) });
    expect(r).toMatchObject({ name: "anthropic", model: "claude-sonnet-4-5", apiKey: undefined });
  });

  it("without the login it still says no key is set", async () => {
    await expect(resolveProvider({ config, env: {} })).rejects.toThrow(/no Anthropic key is set/);
  });
});
