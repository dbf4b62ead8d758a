import { chmodSync, mkdtempSync, readFileSync, renameSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readMcpServerToken } from "../../src/auth/mcp/server-token.js";
import { readSlackBearer } from "../../src/auth/slack-mcp/bearer.js";
import { slackAliasStatuses, slackTokenFilesIn } from "../../src/auth/slack-mcp/status.js";
import { readSlackToken, writeSlackApp, writeSlackToken } from "../../src/auth/slack-mcp/token-file.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import type { McpServerConfig } from "../../src/core/config/schema.js";
import { mcpAuthState } from "../../src/mcp/client/auth-state.js";
import { refresherReport } from "../../src/refreshers/report.js";
import { createSlackMcpRefresher } from "../../src/refreshers/slack-mcp.js";
import { type FakeSlackOAuth, startFakeSlackOAuth } from "../fakes/slack-oauth-server.js";

let slack: FakeSlackOAuth | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

const NOW = new Date("2026-03-01T12:00:00Z");
const inSecs = (s: number) => new Date(NOW.getTime() + s * 1000).toISOString();

function server(extra: Partial<Record<string, unknown>> = {}): McpServerConfig {
  return {
    type: "http",
    url: "https://mcp.slack.com/mcp",
    headers: {},
    enabled: true,
    timeoutS: 30,
    auth: { provider: "slack" },
    ...extra,
  } as McpServerConfig;
}

describe("the Slack MCP refresher", () => {
  it("rotates a token that would expire before the next tick, so an idle runtime never holds a lapsed one", async () => {
    slack = await startFakeSlackOAuth();
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    // 20 minutes left, ticks every 30: the next tick would come after the token died.
    await seedGrant(slack, paths, "soon", 20 * 60);
    // 40 minutes left: still alive at the next tick (30 min) plus the leeway, so it waits (its
    // refresh token would be refused by the fake: a refresh attempt would show as failed).
    await writeSlackToken(paths, "later", {
      access_token: "xoxp-later",
      refresh_token: "not-issued",
      expires_at: inSecs(40 * 60),
    });
    const refresher = createSlackMcpRefresher({
      servers: () => ({ soon: server(), later: server() }),
      paths,
      env: {},
      apiUrl: slack.apiUrl,
    });
    const by = Object.fromEntries((await refresher.tick(NOW)).map((o) => [o.target, o]));
    expect(by.soon).toMatchObject({ result: "refreshed", expiresAt: inSecs(43_200) });
    expect(by.later).toMatchObject({ result: "fresh", expiresAt: inSecs(40 * 60) });
  });

  it("rotates a token inside the leeway, leaves fresh, legacy, tokenless and disabled aliases alone", async () => {
    slack = await startFakeSlackOAuth();
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    // Seed a real grant through a rotation: the fake only accepts the refresh token it issued.
    await seedGrant(slack, paths, "due", 30);
    await writeSlackToken(paths, "fresh", {
      access_token: "xoxp-fresh",
      refresh_token: "r",
      expires_at: inSecs(3600),
    });
    await writeSlackToken(paths, "legacy", { access_token: "xoxp-legacy" });
    await writeSlackToken(paths, "norefresh", { access_token: "xoxp-n", expires_at: inSecs(10) });
    await writeSlackToken(paths, "off", {
      access_token: "xoxp-off",
      refresh_token: "r",
      expires_at: inSecs(10),
    });
    const servers = {
      due: server(),
      fresh: server(),
      legacy: server(),
      norefresh: server(),
      off: server({ enabled: false }),
      missing: server(),
      other: server({ auth: { provider: "oauth" } }),
    };
    const refresher = createSlackMcpRefresher({
      servers: () => servers,
      paths,
      env: {},
      apiUrl: slack.apiUrl,
    });
    expect(refresher.name).toBe("slack-mcp");
    expect(refresher.intervalMs).toBe(30 * 60_000);
    expect(refresher.enabled()).toEqual({ enabled: true });
    const before = await readSlackToken(paths, "due");
    const outcomes = await refresher.tick(NOW);
    const by = Object.fromEntries(outcomes.map((o) => [o.target, o]));
    expect(Object.keys(by).sort()).toEqual(["due", "fresh", "legacy", "missing", "norefresh", "off"]);
    expect(by.due).toMatchObject({ result: "refreshed", expiresAt: inSecs(43_200) });
    expect(by.fresh).toMatchObject({ result: "fresh", expiresAt: inSecs(3600) });
    expect(by.legacy?.result).toBe("skipped");
    expect(by.legacy?.reason).toMatch(/legacy non-rotating token .*kavilo mcp slack login legacy --force/);
    expect(by.norefresh?.reason).toBe(
      "no refresh token on file; run kavilo mcp slack login norefresh --force",
    );
    expect(by.off).toMatchObject({ result: "skipped", reason: "disabled in tools.mcpServers" });
    expect(by.missing?.reason).toBe("no token file; run kavilo mcp slack login missing");

    const after = await readSlackToken(paths, "due");
    expect(after?.access_token).toBe(slack.currentAccessToken());
    expect(after?.refresh_token).toBe(slack.currentRefreshToken());
    expect(after?.refresh_token).not.toBe(before?.refresh_token);
    expect(after?.team_id).toBe("T0FAKE");
    expect(after?.user_id).toBe(before?.user_id);
    expect(statSync(join(paths.mcpAuth, "slack", "due.json")).mode & 0o777).toBe(0o600);
    const refreshCall = slack.calls.filter((c) => c.method === "oauth.v2.access").at(-1);
    expect(refreshCall?.params).toMatchObject({
      grant_type: "refresh_token",
      refresh_token: before?.refresh_token,
      client_id: slack.clientId,
      client_secret: slack.clientSecret,
    });
    // nothing else called Slack
    expect(slack.calls.filter((c) => c.method === "oauth.v2.access")).toHaveLength(1);
  });

  it("two processes ticking at once spend the single-use refresh token once", async () => {
    slack = await startFakeSlackOAuth();
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    await seedGrant(slack, paths, "work", 5);
    const mk = () =>
      createSlackMcpRefresher({ servers: () => ({ work: server() }), paths, env: {}, apiUrl: slack!.apiUrl });
    const [a, b] = await Promise.all([mk().tick(NOW), mk().tick(NOW)]);
    expect([a[0]?.result, b[0]?.result].sort()).toEqual(["adopted", "refreshed"]);
    expect(slack.calls.filter((c) => c.method === "oauth.v2.access")).toHaveLength(1);
    expect((await readSlackToken(paths, "work"))?.access_token).toBe(slack.currentAccessToken());
  });

  it("a revoked refresh token fails with the --force advice and keeps the file", async () => {
    slack = await startFakeSlackOAuth();
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    await seedGrant(slack, paths, "work", 5);
    slack.revokeAll();
    const refresher = createSlackMcpRefresher({
      servers: () => ({ work: server() }),
      paths,
      env: {},
      apiUrl: slack.apiUrl,
    });
    const [outcome] = await refresher.tick(NOW);
    expect(outcome).toEqual({
      target: "work",
      result: "failed",
      reason: "Slack oauth.v2.access failed: invalid_refresh_token; run kavilo mcp slack login work --force",
    });
    expect(await readSlackToken(paths, "work")).toBeDefined();
  });

  it("KAVILO_SLACK_REFRESH_DISABLED turns it off; KAVILO_SLACK_REFRESH_TICK_SECS sets the tick", () => {
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    for (const v of ["1", "true", "TRUE", "yes", "YES"]) {
      const r = createSlackMcpRefresher({
        servers: () => ({}),
        paths,
        env: { KAVILO_SLACK_REFRESH_DISABLED: v },
        apiUrl: "x",
      });
      expect(r.enabled().enabled).toBe(false);
    }
    const on = createSlackMcpRefresher({
      servers: () => ({}),
      paths,
      env: { KAVILO_SLACK_REFRESH_DISABLED: "0", KAVILO_SLACK_REFRESH_TICK_SECS: "300" },
      apiUrl: "x",
    });
    expect(on.enabled().enabled).toBe(true);
    expect(on.intervalMs).toBe(300_000);
  });

  it("the live bearer is refreshed before use inside the leeway, and read as is outside it", async () => {
    slack = await startFakeSlackOAuth();
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    await seedGrant(slack, paths, "work", 45);
    const env = { KAVILO_SLACK_API_URL: slack.apiUrl };
    const stale = (await readSlackToken(paths, "work"))?.access_token;
    const fresh = await readSlackBearer("work", paths, { env, now: () => NOW });
    expect(fresh).not.toBe(stale);
    expect(fresh).toBe(slack.currentAccessToken());
    const again = await readSlackBearer("work", paths, { env, now: () => NOW });
    expect(again).toBe(fresh);
    expect(slack.calls.filter((c) => c.method === "oauth.v2.access")).toHaveLength(1);
    expect(await readSlackBearer("nobody", paths, { env })).toBeUndefined();
  });

  it("an entry's auth.tokenFile is the token file: the refresher and the live bearer rotate it there", async () => {
    slack = await startFakeSlackOAuth();
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    await seedGrant(slack, paths, "work", 30);
    const own = join(paths.home, "my-slack-token.json");
    renameSync(join(paths.mcpAuth, "slack", "work.json"), own);
    chmodSync(own, 0o644);
    const before = JSON.parse(readFileSync(own, "utf8")) as { refresh_token: string };
    const auth = { provider: "slack" as const, tokenFile: "my-slack-token.json" };
    const refresher = createSlackMcpRefresher({
      servers: () => ({ work: server({ auth }) }),
      paths,
      env: {},
      apiUrl: slack.apiUrl,
    });
    const [outcome] = await refresher.tick(NOW);
    expect(outcome).toMatchObject({ target: "work", result: "refreshed", expiresAt: inSecs(43_200) });
    const after = JSON.parse(readFileSync(own, "utf8")) as Record<string, unknown>;
    expect(after.access_token).toBe(slack.currentAccessToken());
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.team_id).toBe("T0FAKE");
    // Written through the token store: atomically, 0600.
    expect(statSync(own).mode & 0o777).toBe(0o600);
    // Nothing was written at the default place.
    expect(await readSlackToken(paths, "work")).toBeUndefined();
    // status and doctor read the same file.
    const servers = { work: server({ auth }), other: server() };
    const [row] = await slackAliasStatuses(paths, ["work"], NOW, slackTokenFilesIn(servers));
    expect(row).toMatchObject({ alias: "work", loggedIn: true, teamId: "T0FAKE", refreshTokenOnFile: true });
    expect(slackTokenFilesIn(servers)).toEqual({ work: "my-slack-token.json" });

    // The MCP client's bearer, read per request from the same file, refreshed inside the leeway.
    await seedGrant(slack, paths, "work", 20);
    renameSync(join(paths.mcpAuth, "slack", "work.json"), own);
    const env = { KAVILO_SLACK_API_URL: slack.apiUrl };
    const lines: string[] = [];
    const bearer = await readMcpServerToken("work", auth, paths, undefined, {
      env,
      now: () => NOW,
      log: (l) => lines.push(l),
    });
    expect(bearer).toBe(slack.currentAccessToken());
    expect(JSON.parse(readFileSync(own, "utf8")).access_token).toBe(bearer);
    expect(lines).toEqual([]);
  });

  it("a refresh that fails during an MCP request is logged in one line with no token, and the old token is sent", async () => {
    slack = await startFakeSlackOAuth();
    const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
    await seedGrant(slack, paths, "work", 20);
    const stale = await readSlackToken(paths, "work");
    slack.revokeAll();
    const lines: string[] = [];
    const bearer = await readMcpServerToken("work", { provider: "slack" }, paths, undefined, {
      env: { KAVILO_SLACK_API_URL: slack.apiUrl },
      now: () => NOW,
      log: (l) => lines.push(l),
    });
    expect(bearer).toBe(stale?.access_token);
    expect(lines).toEqual([
      "RefreshFailed slack-mcp work: Slack oauth.v2.access failed: invalid_refresh_token; run kavilo mcp slack login work --force",
    ]);
    for (const secret of [stale?.access_token, stale?.refresh_token])
      expect(lines.join("\n")).not.toContain(secret);
  });

  it("status's auth state reads a due token without refreshing it (no network, nothing rotated)", async () => {
    slack = await startFakeSlackOAuth();
    vi.stubEnv("KAVILO_SLACK_API_URL", slack.apiUrl);
    try {
      const paths = makePaths(mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-")));
      await seedGrant(slack, paths, "work", -5);
      const before = await readSlackToken(paths, "work");
      const state = await mcpAuthState("work", server(), paths);
      expect(state).toEqual({ provider: "slack", state: "present" });
      expect(slack.calls.filter((c) => c.method === "oauth.v2.access")).toHaveLength(0);
      expect(await readSlackToken(paths, "work")).toEqual(before);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("status shows the Slack MCP refresher (interval, or off and why) before any kavilo start", async () => {
    const home = mkdtempSync(join(tmpdir(), "kavilo-slack-refresh-"));
    const section = { enabled: true, refreshIntervalS: 3600, refreshLeadS: 86400 };
    const config = { codex: section, aws: section };
    const slackRow = async (env: Record<string, string>) =>
      (await refresherReport({ home, config, env })).refreshers.find((r) => r.name === "slack-mcp");
    expect(await slackRow({ KAVILO_SLACK_REFRESH_TICK_SECS: "300" })).toEqual({
      name: "slack-mcp",
      enabled: true,
      intervalS: 300,
      targets: [],
    });
    expect(await slackRow({ KAVILO_SLACK_REFRESH_DISABLED: "yes" })).toMatchObject({
      enabled: false,
      reason: "KAVILO_SLACK_REFRESH_DISABLED is set",
    });
  });
});

/** Gets a live grant from the fake (a login's worth) and stores it for `alias`, expiring in `secs` after NOW. */
async function seedGrant(fake: FakeSlackOAuth, paths: Paths, alias: string, secs: number): Promise<void> {
  const redirect = "http://127.0.0.1:1/oauth/callback";
  const page = await fetch(
    `${fake.authorizeUrl}?client_id=${fake.clientId}&redirect_uri=${encodeURIComponent(redirect)}&state=s`,
    {
      redirect: "manual",
    },
  );
  const code = new URL(page.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const res = await fetch(new URL("oauth.v2.user.access", fake.apiUrl), {
    method: "POST",
    body: new URLSearchParams({
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      code,
      redirect_uri: redirect,
    }),
  });
  const body = (await res.json()) as {
    authed_user: { access_token: string; refresh_token: string; id: string };
  };
  await writeSlackApp(paths, alias, { client_id: fake.clientId, client_secret: fake.clientSecret });
  await writeSlackToken(paths, alias, {
    access_token: body.authed_user.access_token,
    refresh_token: body.authed_user.refresh_token,
    expires_at: inSecs(secs),
    team_id: "T0FAKE",
    user_id: body.authed_user.id,
  });
}
