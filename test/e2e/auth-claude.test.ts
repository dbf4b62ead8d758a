import { spawn } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeAnthropicOAuth,
  playBrowser,
  startFakeAnthropicOAuth,
} from "../fakes/anthropic-oauth-server.js";
import { type FakeLlm, type RecordedRequest, startFakeAnthropic } from "../fakes/anthropic-server.js";
import { BIN, type CliResult, cleanEnv, runCli, tempHome } from "../helpers/cli.js";

let oauth: FakeAnthropicOAuth | undefined;
let llm: FakeLlm | undefined;
afterEach(async () => {
  await Promise.all([oauth?.close(), llm?.close()]);
  oauth = undefined;
  llm = undefined;
});

const REFUSAL =
  '{"type":"error","error":{"type":"invalid_request_error","message":"This credential is only authorized for use with Claude Code and cannot be used for other API requests."}}';

function bearerOf(req: RecordedRequest | undefined): string | undefined {
  return req?.headers.authorization?.replace(/^Bearer /, "");
}

/** A fake Anthropic that answers only a bearer the fake OAuth server issued and still honours. */
async function anthropicCheckingBearer(o: FakeAnthropicOAuth, refuse = false): Promise<FakeLlm> {
  return startFakeAnthropic({
    respond: (req) => {
      if (refuse) return { fault: { status: 400, body: REFUSAL } };
      const bearer = bearerOf(req);
      if (bearer && !o.isAccessTokenActive(bearer)) return { fault: { status: 401 } };
      return { text: "hello from claude", usage: { input: 5, output: 3 } };
    },
  });
}

function envFor(home: string, o: FakeAnthropicOAuth, extra: Record<string, string | undefined> = {}) {
  return cleanEnv(home, {
    KAVILO_ANTHROPIC_OAUTH_CLIENT_ID: o.clientId,
    KAVILO_ANTHROPIC_OAUTH_AUTHORIZE_URL: o.authorizeUrl,
    KAVILO_ANTHROPIC_OAUTH_TOKEN_URL: o.tokenUrl,
    KAVILO_ANTHROPIC_OAUTH_REVOKE_URL: o.revokeUrl,
    ...extra,
  });
}

/** Runs `auth claude login --no-browser`, plays the browser on the URL it prints, waits for exit. */
function loginPlayingBrowser(
  env: NodeJS.ProcessEnv,
  authorizeUrl: string,
  extraArgs: string[] = [],
): Promise<CliResult & { browserStatus: number | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "auth", "claude", "login", "--no-browser", ...extraArgs], {
      env,
      cwd: env.HOME,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let browserStatus: number | undefined;
    let browsing: Promise<void> | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`login timed out\nstderr: ${stderr}`));
    }, 20_000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      const url = stderr.split("\n").find((l) => l.startsWith(authorizeUrl));
      if (url && !browsing && stderr.includes("Waiting for the redirect")) {
        browsing = playBrowser(url.trim()).then(
          (s) => {
            browserStatus = s;
          },
          (err: Error) => {
            stderr += `\n[browser] ${err.message}`;
          },
        );
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      void Promise.resolve(browsing).then(() => resolve({ code, stdout, stderr, browserStatus }));
    });
  });
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const tokenFile = (home: string) => join(home, ".kavilo", "auth", "anthropic", "oauth.json");
const readToken = async (home: string) =>
  JSON.parse(await readFile(tokenFile(home), "utf8")) as Record<string, unknown>;

async function loggedInHome(o: FakeAnthropicOAuth): Promise<string> {
  const home = tempHome();
  const r = await loginPlayingBrowser(envFor(home, o), o.authorizeUrl);
  expect(r.code, r.stderr).toBe(0);
  return home;
}

/** A logged-in home, a fake Anthropic that checks the bearer, and the env that points agent -m at it. */
async function loggedInWithModel() {
  oauth = await startFakeAnthropicOAuth();
  llm = await anthropicCheckingBearer(oauth);
  const home = await loggedInHome(oauth);
  const env = { ...envFor(home, oauth), KAVILO_MODEL: "claude-test", KAVILO_API_BASE: llm.url };
  return { home, env, oauth, llm };
}

/** Time passes: the stored token's expiry is a minute ago. */
async function expireOnDisk(home: string, file: Record<string, unknown>): Promise<void> {
  await writeFile(
    tokenFile(home),
    JSON.stringify({ ...file, expiresAt: new Date(Date.now() - 60_000).toISOString() }),
  );
}

describe("kavilo auth claude (built CLI)", () => {
  it("login --no-browser, status, agent -m with the bearer and beta header, logout", async () => {
    oauth = await startFakeAnthropicOAuth();
    llm = await anthropicCheckingBearer(oauth);
    const home = tempHome();
    const env = envFor(home, oauth);

    const login = await loginPlayingBrowser(env, oauth.authorizeUrl);
    expect(login.code, login.stderr).toBe(0);
    expect(login.browserStatus).toBe(200);
    expect(login.stderr).toContain("Anthropic's terms restrict Claude Pro/Max subscription tokens");
    expect(login.stderr).toContain("Logged in as ada@example.com");
    const file = await readToken(home);
    expect((await stat(tokenFile(home))).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, ".kavilo", "auth", "anthropic"))).mode & 0o777).toBe(0o700);
    expect(login.stderr).not.toContain(String(file.accessToken));

    const status = await runCli(["auth", "claude", "status"], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("ada@example.com");
    expect(status.stdout).toContain("user:profile user:inference");
    expect(status.stdout).toMatch(/expires: +\d{4}-\d\d-\d\dT.*\(in \d+ min\)/);
    expect(status.stdout).not.toContain(String(file.accessToken));
    const json = await runCli(["auth", "claude", "status", "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      loggedIn: true,
      email: "ada@example.com",
      canRefresh: true,
    });
    expect(json.stdout).not.toContain(String(file.refreshToken));

    // kavilo status resolves like agent: the login stands in for an anthropic key on Anthropic's own host.
    const overall = await runCli(["status"], { env: { ...env, KAVILO_MODEL: "claude-sonnet-4-5" } });
    expect(overall.stdout).toMatch(/provider +anthropic \(model name matches "anthropic"\)/);
    expect(overall.stdout).not.toContain("no Anthropic key is set");

    // No API key anywhere: the login alone answers.
    const agent = await runCli(["agent", "-m", "hi"], {
      env: { ...env, KAVILO_MODEL: "claude-test", KAVILO_API_BASE: llm.url },
    });
    expect(agent.code, agent.stderr).toBe(0);
    expect(agent.stdout).toContain("hello from claude");
    const sent = llm.requests[0];
    expect(sent?.headers.authorization).toBe(`Bearer ${file.accessToken}`);
    expect(sent?.headers["anthropic-beta"]).toContain("oauth-2025-04-20");

    const refresh = oauth.currentRefreshToken();
    const logout = await runCli(["auth", "claude", "logout"], { env });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain("Token revoked at the server.");
    expect(oauth.revoked).toEqual([refresh]);
    await expect(stat(tokenFile(home))).rejects.toThrow(/ENOENT/);
    expect((await runCli(["auth", "claude", "status"], { env })).stdout).toContain("Claude login: none");
  });

  it("an expired token is refreshed on use; a 401 refreshes once and retries", async () => {
    const { home, env, oauth, llm } = await loggedInWithModel();

    const before = await readToken(home);
    await expireOnDisk(home, before);
    const first = await runCli(["agent", "-m", "hi"], { env });
    expect(first.code, first.stderr).toBe(0);
    const rotated = await readToken(home);
    expect(oauth.stats.refreshes).toBe(1);
    expect(rotated.accessToken).not.toBe(before.accessToken);
    expect(rotated.refreshToken).toBe(oauth.currentRefreshToken());
    expect(bearerOf(llm.requests[0])).toBe(rotated.accessToken);
    expect((await stat(tokenFile(home))).mode & 0o777).toBe(0o600);

    oauth.expireAccessTokens(); // the server drops the token early: the request gets a 401
    const second = await runCli(["agent", "-m", "again"], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(oauth.stats.refreshes).toBe(2);
    expect(llm.requests.map((r) => bearerOf(r))).toEqual([
      rotated.accessToken,
      rotated.accessToken,
      (await readToken(home)).accessToken,
    ]);
  });

  it("two runs hitting an expired token at once rotate it exactly once and both answer", async () => {
    const { home, env, oauth, llm } = await loggedInWithModel();
    const before = await readToken(home);
    await expireOnDisk(home, before);
    const [a, b] = await Promise.all([
      runCli(["agent", "-m", "one", "-s", "cli:a"], { env }),
      runCli(["agent", "-m", "two", "-s", "cli:b"], { env }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(oauth.stats.refreshes).toBe(1);
    const rotated = (await readToken(home)).accessToken;
    expect(llm.requests.map((r) => bearerOf(r))).toEqual([rotated, rotated]);
  });

  it("Anthropic refusing the token outside its apps is one line suggesting an API key", async () => {
    oauth = await startFakeAnthropicOAuth();
    llm = await anthropicCheckingBearer(oauth, true);
    const home = await loggedInHome(oauth);
    const r = await runCli(["agent", "-m", "hi"], {
      env: { ...envFor(home, oauth), KAVILO_MODEL: "claude-test", KAVILO_API_BASE: llm.url },
    });
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("kavilo:"));
    expect(lines).toEqual([
      expect.stringMatching(
        /^kavilo: Anthropic refused the Claude subscription token: its terms allow .* \(HTTP 400\); use an API key instead: set ANTHROPIC_API_KEY/,
      ),
    ]);
  });

  it("KAVILO_ANTHROPIC_OAUTH_DISABLED=1 sends the API key instead", async () => {
    oauth = await startFakeAnthropicOAuth();
    llm = await startFakeAnthropic({ steps: [{ text: "keyed" }] });
    const home = await loggedInHome(oauth);
    const r = await runCli(["agent", "-m", "hi"], {
      env: {
        ...envFor(home, oauth),
        KAVILO_MODEL: "claude-test",
        KAVILO_API_BASE: llm.url,
        KAVILO_API_KEY: "sk-ant-api-test-not-secret",
        KAVILO_ANTHROPIC_OAUTH_DISABLED: "1",
      },
    });
    expect(r.code, r.stderr).toBe(0);
    // This SDK sends an API key as a bearer too: what matters is which credential, and no OAuth beta.
    expect(llm.requests[0]?.headers.authorization).toBe("Bearer sk-ant-api-test-not-secret");
    expect(llm.requests[0]?.headers["anthropic-beta"] ?? "").not.toContain("oauth");
  });

  it("without a client id, login says so in one line and exits 2", async () => {
    const home = tempHome();
    const r = await runCli(["auth", "claude", "login", "--no-browser"], { env: cleanEnv(home) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringContaining(
        "no OAuth client id: set KAVILO_ANTHROPIC_OAUTH_CLIENT_ID (or auth.claude.clientId), or store a token you have with --token",
      ),
    ]);
  });

  it("a redirect with another state is refused and nothing is written", async () => {
    oauth = await startFakeAnthropicOAuth();
    oauth.tamperNextState("forged");
    const home = tempHome();
    const port = await freePort();
    const r = await loginPlayingBrowser(envFor(home, oauth), oauth.authorizeUrl, [
      "--timeout",
      "2",
      "--port",
      String(port),
    ]);
    expect(oauth.authorizeQueries[0]?.get("redirect_uri")).toBe(`http://127.0.0.1:${port}/callback`);
    expect(r.browserStatus).toBe(400);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no OAuth redirect arrived within 2 s");
    expect(oauth.stats.codeExchanges).toBe(0);
    await expect(stat(tokenFile(home))).rejects.toThrow(/ENOENT/);
  });

  it("takes the client, endpoints and a fixed redirect port from auth.claude in config.json", async () => {
    oauth = await startFakeAnthropicOAuth();
    const home = tempHome();
    const port = await freePort();
    await mkdir(join(home, ".kavilo"), { recursive: true });
    const claude = {
      clientId: oauth.clientId,
      authorizeUrl: oauth.authorizeUrl,
      tokenUrl: oauth.tokenUrl,
      redirectPort: port,
    };
    await writeFile(join(home, ".kavilo", "config.json"), JSON.stringify({ auth: { claude } }));
    const r = await loginPlayingBrowser(cleanEnv(home), oauth.authorizeUrl);
    expect(r.code, r.stderr).toBe(0);
    expect(oauth.authorizeQueries[0]?.get("redirect_uri")).toBe(`http://127.0.0.1:${port}/callback`);
    expect((await readToken(home)).clientId).toBe(oauth.clientId);
  });

  it("--token - stores a pasted token read from stdin; status says it cannot be refreshed", async () => {
    const home = tempHome();
    const env = cleanEnv(home);
    const r = await runCli(["auth", "claude", "login", "--token", "-"], {
      env,
      input: "sk-ant-oat01-pasted\n",
    });
    expect(r.code, r.stderr).toBe(0);
    expect((await readToken(home)).accessToken).toBe("sk-ant-oat01-pasted");
    const s = await runCli(["auth", "claude", "status"], { env });
    expect(s.stdout, s.stderr).toContain("none: stored with --token");
    expect(s.stdout).not.toContain("sk-ant-oat01-pasted");
  });
});
