import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRefresherState } from "../../src/refreshers/state.js";
import { freePort, type McpWeb, startMcpWeb } from "../fakes/mcp-web.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { writeAwsConfig, writeSsoCache } from "../helpers/aws-sso.js";
import { BIN, cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { fakeSystemctl } from "../helpers/fake-systemctl.js";

interface DoctorCheck {
  id: string;
  area: string;
  status: "ok" | "warn" | "fail" | "skip";
  summary: string;
  fix?: string;
  fixable?: boolean;
}

const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** An unsigned JWT with the claims Codex's access tokens carry. */
function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.sig`;
}

function write(path: string, content: string, mode = 0o600): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
}

async function doctor(env: NodeJS.ProcessEnv, extra: string[] = []) {
  const started = Date.now();
  const r = await runCli(["doctor", "--json", ...extra], { env, timeoutMs: 30_000 });
  const doc = JSON.parse(r.stdout) as { status: string; checks: DoctorCheck[]; fixed?: unknown[] };
  const byId = new Map(doc.checks.map((c) => [c.id, c]));
  const get = (id: string): DoctorCheck => {
    const c = byId.get(id);
    if (!c) throw new Error(`no check ${id} in ${doc.checks.map((x) => x.id).join(", ")}`);
    return c;
  };
  return { r, doc, get, ms: Date.now() - started };
}

/** A TCP server that accepts connections and never answers: a hung API. */
async function startHungServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let llm: FakeLlm;
let telegram: FakeTelegram;
let slack: FakeSlack;
let web: McpWeb;
let closed: number;

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
  [llm, telegram, slack, web, closed] = await Promise.all([
    startFakeOpenAI(),
    startFakeTelegram(),
    startFakeSlack(),
    startMcpWeb(),
    freePort(),
  ]);
});

afterAll(async () => {
  await Promise.all([llm?.close(), telegram?.close(), slack?.close(), web?.close()]);
});

describe("kavilo doctor: one healthy and one broken case per check", () => {
  it("a healthy profile: every check ok (or skipped where nothing is set up), exit 0", async () => {
    const home = tempHome();
    const kh = join(home, ".kavilo");
    const env = cleanEnv(home, { CODEX_HOME: join(home, ".codex"), PATH: fakeSystemctl(home, "active") });
    expect((await runCli(["onboard", "-y"], { env })).code).toBe(0);
    write(
      join(kh, "config.json"),
      JSON.stringify({
        agents: { defaults: { provider: "openai", model: "fake-model" } },
        providers: { openai: { apiKey: "sk-healthy-123456", apiBase: llm.url } },
        channels: {
          telegram: { enabled: true, token: telegram.token, apiRoot: telegram.apiRoot },
          slack: { enabled: true, botToken: slack.botToken, appToken: slack.appToken, apiUrl: slack.apiUrl },
        },
        tools: {
          mcpServers: {
            open: { url: `${web.url}/mcp` },
            login: { url: `${web.url}/mcp`, auth: { provider: "oauth" } },
            team: { url: `${web.url}/mcp`, auth: { provider: "slack" } },
          },
        },
      }),
    );
    write(
      join(kh, "mcp-auth", "login.json"),
      JSON.stringify({
        serverUrl: `${web.url}/mcp`,
        clientInformation: { client_id: "kavilo-test" },
        tokens: { access_token: "mcp-access-token", token_type: "Bearer", refresh_token: "r" },
        expiresAt: iso(HOUR),
        savedAt: iso(0),
      }),
    );
    write(
      join(kh, "mcp-auth", "slack", "team.json"),
      JSON.stringify({
        access_token: "xoxp-healthy",
        refresh_token: "xoxe-r",
        expires_at: iso(HOUR),
        team_name: "Fake",
      }),
    );
    write(
      join(kh, "auth", "anthropic", "oauth.json"),
      JSON.stringify({
        accessToken: "sk-ant-oat-x",
        refreshToken: "r",
        expiresAt: iso(HOUR),
        source: "login",
        savedAt: iso(0),
      }),
    );
    write(
      join(home, ".codex", "auth.json"),
      JSON.stringify({
        tokens: {
          access_token: jwt({ exp: Math.floor((Date.now() + HOUR) / 1000) }),
          refresh_token: "rt",
          account_id: "acc-1",
        },
      }),
    );
    await writeAwsConfig(home, "work");
    await writeSsoCache(
      home,
      "work",
      { clientId: "c", clientSecret: "s", accessToken: "a", refreshToken: "r" },
      new Date(Date.now() + HOUR),
    );
    const store = (await import("../../src/core/cron/store.js")).createCronStore(
      join(kh, "cron", "jobs.json"),
    );
    await store.add({ schedule: { kind: "every", seconds: 3600 }, message: "hi", nextRunAt: iso(HOUR) });
    await writeRefresherState(join(kh, "refreshers.json"), {
      pid: process.pid,
      updatedAt: iso(0),
      refreshers: ["codex", "aws-sso"].map((name) => ({
        name,
        enabled: true,
        intervalS: 300,
        targets: [
          { target: name === "codex" ? "auth.json" : "work", result: "fresh" as const, checkedAt: iso(0) },
        ],
      })),
    });
    write(
      join(home, ".config", "systemd", "user", "kavilo.service"),
      `[Service]\nExecStart=${process.execPath} ${BIN} start\n`,
      0o644,
    );

    const { r, doc, get } = await doctor(env);
    const problems = doc.checks.filter((c) => c.status === "warn" || c.status === "fail");
    expect(problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(doc.status).toBe("ok");
    expect(get("system.node").summary).toContain(process.versions.node);
    expect(get("system.disk").summary).toMatch(/free on the disk/);
    expect(get("config.file").summary).toMatch(/is valid$/);
    expect(get("home.modes").status).toBe("ok");
    expect(get("home.lock").summary).toMatch(/not running/);
    expect(get("home.workspace").status).toBe("ok");
    expect(get("provider.resolve").summary).toMatch(/^openai\/fake-model/);
    expect(get("provider.reachable").summary).toMatch(/answers \(HTTP 200\)/);
    expect(get("channels.telegram").summary).toBe("telegram: token accepted (@kavilo_bot)");
    expect(get("channels.slack").summary).toMatch(/^slack: bot token accepted \(kavilo in Fake\)/);
    expect(get("mcp.open").summary).toBe("open: connected, 1 tools");
    expect(get("credentials.codex").status).toBe("ok");
    expect(get("credentials.claude").status).toBe("ok");
    expect(get("credentials.mcp.login").summary).toMatch(/login valid, expires/);
    expect(get("credentials.slack-mcp.team").summary).toMatch(/^Slack MCP team \(Fake\), expires/);
    expect(get("credentials.aws-sso.work").status).toBe("ok");
    expect(get("cron.jobs").summary).toBe("1 cron job on schedule");
    expect(get("refreshers.codex").status).toBe("ok");
    expect(get("service.unit").summary).toMatch(/installed and running: .*kavilo\.service/);
    // No secret reaches the report.
    for (const secret of [
      "sk-healthy-123456",
      telegram.token,
      slack.botToken,
      "xoxp-healthy",
      "mcp-access-token",
    ]) {
      expect(r.stdout).not.toContain(secret);
    }
  });

  it("a broken profile: each check says what is wrong and how to fix it, exit 2", async () => {
    const home = tempHome();
    const kh = join(home, ".kavilo");
    const env = cleanEnv(home, { CODEX_HOME: join(home, ".codex") });
    write(
      join(kh, "config.json"),
      JSON.stringify({
        agents: { defaults: { provider: "openai", model: "fake-model" } },
        providers: { openai: { apiKey: "sk-broken-123456", apiBase: `http://127.0.0.1:${closed}/v1` } },
        channels: {
          telegram: { enabled: true, token: "123:wrong-token-abcdef", apiRoot: telegram.apiRoot },
          slack: { enabled: true, botToken: "xoxb-wrong", appToken: slack.appToken, apiUrl: slack.apiUrl },
        },
        tools: {
          mcpServers: {
            gone: { url: `http://127.0.0.1:${closed}/mcp` },
            needslogin: { url: `http://127.0.0.1:${closed}/mcp`, auth: { provider: "oauth" }, enabled: true },
            team: { url: `${web.url}/mcp`, auth: { provider: "slack" } },
          },
        },
        surprise: true,
      }),
      0o644,
    );
    write(join(kh, "kavilo.lock"), JSON.stringify({ pid: deadPid(), startedAt: iso(-HOUR) }));
    write(
      join(kh, "auth", "anthropic", "oauth.json"),
      JSON.stringify({
        accessToken: "sk-ant-oat-x",
        expiresAt: iso(-HOUR),
        source: "token",
        savedAt: iso(-2 * HOUR),
      }),
    );
    write(join(home, ".codex", "auth.json"), JSON.stringify({ tokens: { access_token: jwt({}) } }), 0o644);
    await writeAwsConfig(home, "work");
    await writeSsoCache(
      home,
      "work",
      { clientId: "c", clientSecret: "s", accessToken: "a" },
      new Date(Date.now() - HOUR),
    );
    const store = (await import("../../src/core/cron/store.js")).createCronStore(
      join(kh, "cron", "jobs.json"),
    );
    await store.add({ schedule: { kind: "every", seconds: 3600 }, message: "hi", nextRunAt: iso(-HOUR) });
    await writeRefresherState(join(kh, "refreshers.json"), {
      pid: deadPid(),
      updatedAt: iso(-HOUR),
      refreshers: [
        {
          name: "aws-sso",
          enabled: true,
          intervalS: 300,
          targets: [
            {
              target: "work",
              result: "failed",
              reason: "the refresh token was rejected",
              checkedAt: iso(-HOUR),
            },
          ],
        },
      ],
    });
    write(
      join(home, ".config", "systemd", "user", "kavilo.service"),
      "[Service]\nExecStart=/nowhere/node /nowhere/kavilo.js start\n",
    );

    const { r, doc, get } = await doctor(env);
    expect(r.code).toBe(2);
    expect(doc.status).toBe("fail");
    const expectCheck = (id: string, status: string, summary: RegExp, fix: RegExp) => {
      const c = get(id);
      expect(c.status, id).toBe(status);
      expect(c.summary, id).toMatch(summary);
      expect(c.fix ?? "", id).toMatch(fix);
    };
    expectCheck("config.file", "warn", /1 unknown key \(unknown key surprise/, /doctor --fix removes them/);
    expectCheck(`home.mode:${join(kh, "config.json")}`, "warn", /is 0644; it holds secrets/, /chmod 0600/);
    expectCheck("home.lock", "warn", /^stale lock .*kavilo\.lock \(pid \d+ is gone\)/, /--fix removes it/);
    expectCheck("home.workspace", "warn", /workspace .* is missing/, /creates it/);
    expectCheck(
      "provider.reachable",
      "fail",
      /cannot be reached \(ECONNREFUSED\)/,
      /providers\.openai\.apiBase/,
    );
    expectCheck(
      "channels.telegram",
      "fail",
      /getMe refused the token \(401 Unauthorized\)/,
      /channels\.telegram\.token/,
    );
    expectCheck("channels.slack", "fail", /auth\.test refused the bot token \(invalid_auth\)/, /botToken/);
    expectCheck("mcp.gone", "fail", /ECONNREFUSED/, /tools\.mcpServers\.gone/);
    expectCheck("credentials.codex", "fail", /no refresh token/, /codex login/);
    expectCheck("credentials.codex.mode", "warn", /is 0644; a token file should be 0600/, /chmod 600/);
    expectCheck("credentials.claude", "fail", /expired .* cannot be refreshed/, /kavilo auth claude login/);
    expectCheck(
      "credentials.mcp.needslogin",
      "warn",
      /not logged in/,
      /kavilo mcp login --server needslogin/,
    );
    expectCheck("credentials.slack-mcp.team", "fail", /not logged in/, /kavilo mcp slack login team/);
    expectCheck("credentials.aws-sso.work", "fail", /expired/, /aws sso login --sso-session work/);
    expectCheck(`cron.${(await store.list())[0]?.id}`, "warn", /missed its run/, /kavilo cron run/);
    expectCheck("refreshers.aws-sso", "warn", /work failed: the refresh token was rejected/, /log in again/);
    expectCheck(
      "service.unit",
      "fail",
      /\/nowhere\/node \/nowhere\/kavilo\.js, which is gone/,
      /service install/,
    );
    expect(r.stdout).not.toContain("sk-broken-123456");
    expect(r.stdout).not.toContain("123:wrong-token-abcdef");
  });

  it("an invalid config.json fails one check and skips the areas that need it", async () => {
    const home = tempHome();
    write(join(home, ".kavilo", "config.json"), '{"agents": {"defaults": {"maxTokens": "lots"}}}');
    const { r, get } = await doctor(cleanEnv(home));
    expect(r.code).toBe(2);
    expect(get("config.file")).toMatchObject({
      status: "fail",
      summary: expect.stringContaining("maxTokens"),
    });
    for (const area of ["provider", "credentials", "channels", "mcp", "refreshers"]) {
      expect(get(area)).toMatchObject({ status: "skip", summary: "not checked: config.json is invalid" });
    }
  });
});

describe("kavilo doctor: the provider checks", () => {
  it("no provider at all: resolution fails with how to set one, and nothing is probed", async () => {
    const { r, get } = await doctor(cleanEnv(tempHome()));
    expect(r.code).toBe(2);
    expect(get("provider.resolve")).toMatchObject({
      status: "fail",
      summary: expect.stringMatching(/no model provider/),
    });
    expect(get("provider.reachable")).toMatchObject({ status: "skip", summary: "no provider to probe" });
  });

  it("a provider that refuses the key (HTTP 401 on its model list) fails and names where the key came from", async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error" } }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const env = cleanEnv(tempHome(), {
        OPENAI_API_KEY: "sk-refused-123456",
        KAVILO_PROVIDER: "openai",
        KAVILO_MODEL: "gpt-5",
      });
      const home = env.HOME ?? "";
      write(
        join(home, ".kavilo", "config.json"),
        JSON.stringify({ providers: { openai: { apiBase: `http://127.0.0.1:${port}/v1` } } }),
      );
      const { r, get } = await doctor(env);
      expect(get("provider.reachable")).toMatchObject({
        status: "fail",
        summary: `openai at 127.0.0.1:${port} refused the key (HTTP 401)`,
        fix: "set a valid key: OPENAI_API_KEY",
      });
      expect(r.stdout).not.toContain("sk-refused-123456");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("kavilo doctor --fix", () => {
  it("repairs modes, a stale lock, the workspace and unknown keys, says what it changed, and they stay fixed", async () => {
    const home = tempHome();
    const kh = join(home, ".kavilo");
    const env = cleanEnv(home, { ANTHROPIC_API_KEY: "sk-ant-fix-123456", KAVILO_API_BASE: llm.url });
    const config = write(
      join(kh, "config.json"),
      JSON.stringify({ agents: { defaults: { model: "fake-model" } }, old: 1 }),
      0o644,
    );
    chmodSync(kh, 0o777);
    const token = write(join(kh, "mcp-auth", "x.json"), "{}", 0o644);
    chmodSync(join(kh, "mcp-auth"), 0o755);
    const lock = write(join(kh, "kavilo.lock"), JSON.stringify({ pid: deadPid(), startedAt: iso(-HOUR) }));
    const before = await doctor(env);
    expect(before.r.code).toBe(1);
    expect(before.get("home.lock")).toMatchObject({ status: "warn", fixable: true });

    const r = await runCli(["doctor", "--fix"], { env, timeoutMs: 30_000 });
    expect(r.stdout).toContain(`fixed chmod 0600 ${config} (was 0644)`);
    expect(r.stdout).toContain(`fixed chmod 0700 ${join(kh, "mcp-auth")} (was 0755)`);
    expect(r.stdout).toContain(`fixed chmod 0600 ${token} (was 0644)`);
    expect(r.stdout).toContain(`fixed chmod 0755 ${kh} (was 0777)`);
    expect(r.stdout).toMatch(/fixed removed the stale lock .*kavilo\.lock \(pid \d+ was gone\)/);
    expect(r.stdout).toMatch(/fixed created .*workspace with AGENTS\.md/);
    expect(r.stdout).toMatch(
      /fixed removed the unknown keys from .*config\.json \(the old file is .*config\.json\.bak-/,
    );
    expect(r.code).toBe(0);

    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(statSync(token).mode & 0o777).toBe(0o600);
    expect(statSync(join(kh, "mcp-auth")).mode & 0o777).toBe(0o700);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(join(kh, "workspace", "AGENTS.md"))).toBe(true);
    expect(JSON.parse(readFileSync(config, "utf8"))).toEqual({
      agents: { defaults: { model: "fake-model" } },
    });
    const backup = readdirSync(kh).find((f) => f.startsWith("config.json.bak-"));
    expect(JSON.parse(readFileSync(join(kh, backup ?? "missing"), "utf8"))).toMatchObject({ old: 1 });
    expect(statSync(join(kh, backup ?? "missing")).mode & 0o777).toBe(0o600);

    const after = await doctor(env);
    expect(after.doc.checks.filter((c) => c.fixable)).toEqual([]);
    expect(after.r.code).toBe(0);
  });

  it("a lock held by a live process is not stale and is left alone", async () => {
    const home = tempHome();
    const lock = write(
      join(home, ".kavilo", "kavilo.lock"),
      JSON.stringify({ pid: process.pid, startedAt: iso(0) }),
    );
    const { get } = await doctor(cleanEnv(home), ["--fix"]);
    expect(get("home.lock").summary).toMatch(`kavilo start is running (pid ${process.pid}`);
    expect(existsSync(lock)).toBe(true);
  });
});

describe("kavilo doctor with every server down", () => {
  it("finishes in under 10 s: each hung server is one failed check after 5 s", async () => {
    const hung = await Promise.all([
      startHungServer(),
      startHungServer(),
      startHungServer(),
      startHungServer(),
    ]);
    try {
      const [provider, tg, sl, mcp] = hung;
      const home = tempHome();
      write(
        join(home, ".kavilo", "config.json"),
        JSON.stringify({
          agents: { defaults: { provider: "openai", model: "m" } },
          providers: { openai: { apiKey: "k-123456", apiBase: `${provider?.url}/v1` } },
          channels: {
            telegram: { enabled: true, token: "1:abc", apiRoot: tg?.url },
            slack: { enabled: true, botToken: "xoxb-1", appToken: "xapp-1", apiUrl: `${sl?.url}/api/` },
          },
          tools: { mcpServers: { hung: { url: `${mcp?.url}/mcp` } } },
        }),
      );
      const { r, get, ms } = await doctor(cleanEnv(home));
      expect(ms).toBeLessThan(10_000);
      expect(r.code).toBe(2);
      for (const id of ["provider.reachable", "channels.telegram", "channels.slack"]) {
        expect(get(id), id).toMatchObject({ status: "fail", summary: "no answer within 5 s" });
      }
      expect(get("mcp.hung")).toMatchObject({
        status: "fail",
        summary: expect.stringMatching(/^hung: .*(timed out|timeout)/i),
      });
    } finally {
      await Promise.all(hung.map((h) => h.close()));
    }
  });
});

describe("kavilo doctor output", () => {
  it("prints each check as one line (fix on the next), a summary, and exits 1 for warnings only", async () => {
    const home = tempHome();
    const env = cleanEnv(home, {
      KAVILO_API_KEY: "k-out-123456",
      KAVILO_API_BASE: llm.url,
      KAVILO_MODEL: "m",
    });
    const r = await runCli(["doctor"], { env, timeoutMs: 30_000 });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/^ok {4}system {7}Node /m);
    expect(r.stdout).toMatch(/^warn {2}home {9}workspace .* is missing\n {19}→ kavilo doctor --fix/m);
    expect(r.stdout).toMatch(
      /\n\d+ ok, 1 warning, 0 failures, \d+ skipped; kavilo doctor --fix can repair 1\n$/,
    );
    expect(r.stderr).toBe("");
  });
});
