import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeSlackApp, writeSlackToken } from "../../src/auth/slack-mcp/token-file.js";
import { makePaths } from "../../src/core/base/paths.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeSlackOAuth, startFakeSlackOAuth } from "../fakes/slack-oauth-server.js";
import { BIN, type CliResult, cleanEnv, runCli, tempHome } from "../helpers/cli.js";

let slack: FakeSlackOAuth | undefined;
let llm: FakeLlm | undefined;
afterEach(async () => {
  await slack?.close();
  await llm?.close();
  slack = undefined;
  llm = undefined;
});

function slackEnv(home: string, fake: FakeSlackOAuth, extra: Record<string, string> = {}) {
  return cleanEnv(home, {
    KAVILO_SLACK_OAUTH_AUTHORIZE_URL: fake.authorizeUrl,
    KAVILO_SLACK_API_URL: fake.apiUrl,
    KAVILO_SLACK_OAUTH_PORT: "0",
    ...extra,
  });
}

/**
 * Runs `kavilo mcp slack login` and plays the browser: follows the printed authorize URL to the
 * fake Slack, whose 302 lands on kavilo's loopback listener (or, with `tamper`, a changed URL).
 */
function loginAsBrowser(
  args: string[],
  env: NodeJS.ProcessEnv,
  tamper?: (callback: URL, loopback: string) => URL,
): Promise<CliResult & { callbackStatus?: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "mcp", "slack", "login", ...args], { env, cwd: env.HOME });
    let stdout = "";
    let stderr = "";
    let callbackStatus: number | undefined;
    let visited = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`login timed out\n${stderr}`));
    }, 20_000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", async (d: Buffer) => {
      stderr += d.toString();
      const url = /^(http:\/\/127\.0\.0\.1:\d+\/oauth\/v2_user\/authorize\?\S+)$/m.exec(stderr)?.[1];
      if (!url || visited || !/Waiting for the redirect/.test(stderr)) return;
      visited = true;
      const page = await fetch(url, { redirect: "manual" });
      let callback = new URL(page.headers.get("location") ?? "");
      const loopback = /Waiting for the redirect on (\S+) \.\.\./.exec(stderr)?.[1] ?? "";
      if (tamper) callback = tamper(callback, loopback);
      const back = await fetch(callback);
      callbackStatus = back.status;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ...(callbackStatus !== undefined ? { callbackStatus } : {}) });
    });
    child.stdin.end();
  });
}

const kaviloDir = (home: string) => join(home, ".kavilo");
const tokenFile = (home: string, alias: string) =>
  join(kaviloDir(home), "mcp-auth", "slack", `${alias}.json`);
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

describe("kavilo mcp slack login / status / logout against a fake Slack", () => {
  it("logs in, writes 0600 files and the config entry, serves an agent turn, and logs out", async () => {
    slack = await startFakeSlackOAuth();
    const home = tempHome();
    // An entry the user wrote earlier: its description and enabledTools survive the login.
    mkdirSync(kaviloDir(home), { recursive: true });
    writeFileSync(
      join(kaviloDir(home), "config.json"),
      JSON.stringify({
        tools: {
          mcpServers: {
            work: {
              url: slack.mcpUrl,
              description: "Acts as me in Fake Co",
              enabledTools: ["slack_read_channel"],
            },
          },
        },
      }),
    );
    const env = slackEnv(home, slack);
    const r = await loginAsBrowser(
      [
        "work",
        "--client-id",
        slack.clientId,
        "--client-secret",
        slack.clientSecret,
        "--team",
        "T0FAKE",
        "--no-browser",
      ],
      env,
    );
    expect(r.stderr).toContain("Logged in to Slack as work (U0ME in Fake Co)");
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain(slack.clientSecret);

    const asked = slack.authorizeRequests[0]!;
    expect(asked.get("user_scope")).toContain("search:read.public");
    expect(asked.get("code_challenge_method")).toBe("S256");
    expect(asked.get("team")).toBe("T0FAKE");

    const token = readJson(tokenFile(home, "work"));
    expect(token.access_token).toBe(slack.currentAccessToken());
    expect(token.refresh_token).toBe(slack.currentRefreshToken());
    expect(token).toMatchObject({ team_id: "T0FAKE", team_name: "Fake Co", user_id: "U0ME" });
    expect(Date.parse(String(token.expires_at)) - Date.now()).toBeGreaterThan(43_000_000);
    expect(statSync(tokenFile(home, "work")).mode & 0o777).toBe(0o600);
    const appPath = join(kaviloDir(home), "mcp-auth", "slack", "work.app.json");
    expect(readJson(appPath)).toMatchObject({ client_id: slack.clientId, client_secret: slack.clientSecret });
    expect(statSync(appPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(kaviloDir(home), "mcp-auth", "slack")).mode & 0o777).toBe(0o700);

    const config = readJson(join(kaviloDir(home), "config.json")) as {
      tools: { mcpServers: Record<string, Record<string, unknown>> };
    };
    expect(config.tools.mcpServers.work).toEqual({
      type: "http",
      url: slack.mcpUrl,
      description: "Acts as me in Fake Co",
      enabledTools: ["slack_read_channel"],
      auth: { provider: "slack", teamId: "T0FAKE", label: "Fake Co" },
    });

    // status --json: everything but the token
    const st = await runCli(["mcp", "slack", "status", "--json"], { env });
    expect(st.code).toBe(0);
    expect(st.stdout).not.toContain(String(token.access_token));
    expect(st.stdout).not.toContain(String(token.refresh_token));
    const list = JSON.parse(st.stdout) as Array<Record<string, unknown>>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      alias: "work",
      loggedIn: true,
      teamId: "T0FAKE",
      teamName: "Fake Co",
      userId: "U0ME",
      refreshTokenOnFile: true,
      configEntry: true,
      expired: false,
    });
    expect(list[0]!.scopes).toContain("chat:write");

    // an agent turn calls the hosted tool through the fake MCP server with the saved bearer
    llm = await startFakeOpenAI({
      steps: [
        {
          toolCalls: [
            { id: "call_read", name: "mcp_work_slack_read_channel", args: { channel_id: "C0GEN" } },
          ],
        },
        { text: "Deploy is green." },
      ],
    });
    const agentEnv = {
      ...env,
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "k",
      KAVILO_MODEL: "m",
    };
    const turn = await runCli(["agent", "-m", "what is new in general?"], {
      env: agentEnv,
      timeoutMs: 30_000,
    });
    expect(turn.code).toBe(0);
    expect(turn.stdout).toContain("Deploy is green.");
    const first = llm.requests[0]!.body as {
      tools: Array<{ function: { name: string; description: string } }>;
    };
    const read = first.tools.find((t) => t.function.name === "mcp_work_slack_read_channel");
    expect(read?.function.description.startsWith("[server: Acts as me in Fake Co]\n")).toBe(true);
    const second = JSON.stringify(llm.requests[1]!.body);
    expect(second).toContain("C0GEN: deploy is green | shipping at noon");
    expect(new Set(slack.mcpBearers)).toEqual(new Set([token.access_token]));

    // a second login without --force is refused and changes nothing
    const again = await runCli(["mcp", "slack", "login", "work", "--no-browser"], { env });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      "kavilo: mcp slack login work: work is already logged in (U0ME in Fake Co); pass --force to log in again",
    );

    // logout revokes at Slack and deletes the token file; the config entry stays
    const out = await runCli(["mcp", "slack", "logout", "work"], { env });
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("token revoked, local file deleted");
    expect(slack.calls.some((c) => c.method === "auth.revoke" && c.token === token.access_token)).toBe(true);
    expect(() => statSync(tokenFile(home, "work"))).toThrow();
    expect(readJson(join(kaviloDir(home), "config.json"))).toMatchObject({
      tools: { mcpServers: { work: { auth: { provider: "slack" } } } },
    });
    const after = await runCli(["mcp", "slack", "status", "work", "--json"], { env });
    expect(JSON.parse(after.stdout)).toMatchObject({ alias: "work", loggedIn: false, configEntry: true });

    // the next turn: the model is told to log in again
    await llm.close();
    llm = await startFakeOpenAI({
      steps: [
        { toolCalls: [{ id: "call_login", name: "mcp_work_login_required", args: {} }] },
        { text: "Log in again." },
      ],
    });
    const later = await runCli(["agent", "-m", "read general"], {
      env: { ...agentEnv, KAVILO_API_BASE: llm.url },
      timeoutMs: 30_000,
    });
    expect(later.code).toBe(0);
    const line =
      "MCP_AUTH_REQUIRED:server=work; reason=invalid_token; run kavilo mcp slack login work --force";
    expect(later.stderr).toContain(line);
    expect(JSON.stringify(llm.requests[1]!.body)).toContain(line);
  }, 60_000);

  it("reads the tokens from the top level too, and remembers the app for the next login", async () => {
    slack = await startFakeSlackOAuth({ shape: "top" });
    const home = tempHome();
    const env = slackEnv(home, slack);
    const first = await loginAsBrowser(
      ["ws", "--client-id", slack.clientId, "--client-secret", slack.clientSecret, "--no-browser"],
      env,
    );
    expect(first.code).toBe(0);
    expect(readJson(tokenFile(home, "ws")).access_token).toBe(slack.currentAccessToken());
    const config = readJson(join(kaviloDir(home), "config.json"));
    expect(config).toMatchObject({
      tools: {
        mcpServers: { ws: { type: "http", url: "https://mcp.slack.com/mcp", auth: { provider: "slack" } } },
      },
    });
    // --force and no --client-id: the app comes from ws.app.json
    const second = await loginAsBrowser(["ws", "--force", "--no-browser"], env);
    expect(second.code).toBe(0);
    expect(slack.authorizeRequests[1]!.get("client_id")).toBe(slack.clientId);
    expect(readJson(tokenFile(home, "ws")).access_token).toBe(slack.currentAccessToken());
  }, 40_000);

  it("an HTTPS relay: Slack redirects to it, it forwards to the loopback, and the code is exchanged for it", async () => {
    slack = await startFakeSlackOAuth();
    const home = tempHome();
    const env = slackEnv(home, slack);
    const relay = "https://me.example.github.io/kavilo-relay/";
    const r = await loginAsBrowser(
      [
        "ws",
        "--client-id",
        slack.clientId,
        "--client-secret",
        slack.clientSecret,
        "--redirect-uri",
        relay,
        "--no-browser",
      ],
      env,
      // the relay page: same query, sent on to the loopback
      (atRelay, loopback) => {
        expect(`${atRelay.origin}${atRelay.pathname}`).toBe(relay);
        return new URL(`${loopback}${atRelay.search}`);
      },
    );
    expect(r.code).toBe(0);
    expect(slack.authorizeRequests[0]?.get("redirect_uri")).toBe(relay);
    const exchange = slack.calls.find((c) => c.method === "oauth.v2.user.access");
    expect(exchange?.params.redirect_uri).toBe(relay);
    expect(exchange?.params.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readJson(join(kaviloDir(home), "mcp-auth", "slack", "ws.app.json")).redirect_uri).toBe(relay);
  }, 30_000);

  it("denied consent and a tampered state are one line each, and nothing is written", async () => {
    slack = await startFakeSlackOAuth();
    const home = tempHome();
    const env = slackEnv(home, slack);
    slack.denyNext();
    const denied = await loginAsBrowser(
      ["ws", "--client-id", slack.clientId, "--client-secret", slack.clientSecret, "--no-browser"],
      env,
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim().split("\n").at(-1)).toBe(
      "kavilo: mcp slack login ws: Slack refused the login (access_denied); nothing was saved",
    );
    const forged = await loginAsBrowser(
      ["ws", "--client-id", slack.clientId, "--client-secret", slack.clientSecret, "--no-browser"],
      env,
      (cb) => {
        cb.searchParams.set("state", "forged");
        return cb;
      },
    );
    // the loopback refuses the forged redirect (400 page) and the login ends with one line
    expect(forged.callbackStatus).toBe(400);
    expect(forged.code).toBe(1);
    expect(forged.stderr.trim().split("\n").at(-1)).toBe(
      "kavilo: mcp slack login ws: OAuth state mismatch; nothing was saved: start the login again",
    );
    expect(() => statSync(join(kaviloDir(home), "mcp-auth", "slack", "ws.json"))).toThrow();
    expect(() => statSync(join(kaviloDir(home), "config.json"))).toThrow();
  }, 40_000);

  it("a busy port 7898 is one line naming the port", async () => {
    slack = await startFakeSlackOAuth();
    const home = tempHome();
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const env = slackEnv(home, slack, { KAVILO_SLACK_OAUTH_PORT: String(port) });
      const r = await runCli(
        ["mcp", "slack", "login", "ws", "--client-id", "1", "--client-secret", "2", "--no-browser"],
        { env },
      );
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^kavilo: mcp slack login ws: port ${port} on 127\\.0\\.0\\.1 is in use`),
      );
      expect(lines[0]).toContain("stop that process and log in again");
    } finally {
      blocker.close();
    }
  }, 20_000);
  it("a refresh that fails before an MCP request is one logged line with the --force advice and no token", async () => {
    slack = await startFakeSlackOAuth();
    llm = await startFakeOpenAI({ steps: [{ text: "ok" }] });
    const home = tempHome();
    const paths = makePaths(kaviloDir(home));
    const grant = slack.issueGrant();
    await writeSlackApp(paths, "work", { client_id: slack.clientId, client_secret: slack.clientSecret });
    // Inside the 60 s leeway, so the MCP client refreshes before its first request; the grant is dead.
    await writeSlackToken(paths, "work", {
      access_token: grant.access_token,
      refresh_token: grant.refresh_token,
      expires_at: new Date(Date.now() + 20_000).toISOString(),
    });
    slack.revokeAll();
    writeFileSync(
      join(kaviloDir(home), "config.json"),
      JSON.stringify({ tools: { mcpServers: { work: { url: slack.mcpUrl, auth: { provider: "slack" } } } } }),
    );
    const env = {
      ...slackEnv(home, slack),
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "k",
      KAVILO_MODEL: "m",
    };
    const r = await runCli(["agent", "-m", "hi"], { env, timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    // agent -m logs to stderr: one warning, then the server's auth-required line.
    const failed = r.stderr.split("\n").filter((l) => l.includes("RefreshFailed slack-mcp work"));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain(
      "RefreshFailed slack-mcp work: Slack oauth.v2.access failed: invalid_refresh_token; run kavilo mcp slack login work --force",
    );
    for (const secret of [grant.access_token, grant.refresh_token, slack.clientSecret])
      expect(r.stderr).not.toContain(secret);
  }, 40_000);
});
