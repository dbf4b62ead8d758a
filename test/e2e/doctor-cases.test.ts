import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../fakes/mcp-web.js";
import { writeAwsConfig, writeSsoCache } from "../helpers/aws-sso.js";
import { BIN, type CliResult, cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { fakeSystemctl } from "../helpers/fake-systemctl.js";

/**
 * The doctor cases doctor.test.ts's two big profiles leave out: an old Node, a full disk, a service
 * unit that is installed but not running (asked of a fake systemctl), credentials that expired or
 * that others can read, and config warnings said once.
 */

interface DoctorCheck {
  id: string;
  status: "ok" | "warn" | "fail" | "skip";
  summary: string;
  fix?: string;
}

const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

function write(path: string, content: string, mode = 0o600): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.sig`;
}

function parse(r: CliResult) {
  const doc = JSON.parse(r.stdout) as { status: string; checks: DoctorCheck[] };
  const get = (id: string): DoctorCheck => {
    const c = doc.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id} in ${doc.checks.map((x) => x.id).join(", ")}`);
    return c;
  };
  return { doc, get };
}

function serviceUnit(home: string): void {
  write(
    join(home, ".config", "systemd", "user", "kavilo.service"),
    `[Service]\nExecStart=${process.execPath} ${BIN} start\n`,
    0o644,
  );
}

/** Runs a node with `process.versions.node` shimmed to an old release before anything loads. */
function runOnOldNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const shim = join(env.HOME as string, "old-node.mjs");
  writeFileSync(
    shim,
    'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.5.0" } });\n',
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", pathToFileURL(shim).href, script, ...args], {
      env,
      cwd: env.HOME,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
});

describe("kavilo doctor: the Node version", () => {
  it("on an old Node the CLI refuses before loading anything, saying which Node it needs", async () => {
    const home = tempHome();
    const r = await runOnOldNode(BIN, ["doctor"], cleanEnv(home));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "kavilo needs Node 22.19 or newer (this is Node 20.5.0); install a current LTS, or run it with npx from a checkout\n",
    );
  });

  it("the built program past that guard (a copy of dist/ run directly) fails the system.node check", async () => {
    const home = tempHome();
    const entry = join(home, "run-main.mjs");
    writeFileSync(
      entry,
      `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist/cli/main.js")).href)});\nawait main();\n`,
    );
    const r = await runOnOldNode(entry, ["doctor", "--json"], cleanEnv(home));
    const { get } = parse(r);
    expect(r.code).toBe(2);
    expect(get("system.node")).toMatchObject({
      status: "fail",
      summary: "Node 20.5.0 is older than 22.19",
      fix: "install a current Node LTS",
    });
  });
});

/** A tmpfs of `size` as the profile home: needs root (mount); skipped elsewhere. */
function withTmpfs(
  size: string,
  fn: (dir: string) => Promise<void>,
): (ctx: { skip(note?: string): never }) => Promise<void> {
  return async (ctx) => {
    const dir = join(tempHome(), "kavilo-home");
    mkdirSync(dir);
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]);
    if (m.status !== 0) ctx.skip(`cannot mount a tmpfs here (${String(m.stderr).trim()})`);
    try {
      await fn(dir);
    } finally {
      spawnSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe("kavilo doctor: disk space in the home", () => {
  it(
    "an almost full disk (an 8 MB tmpfs as KAVILO_HOME) fails with what can go",
    withTmpfs("8m", async (dir) => {
      const r = await runCli(["doctor", "--json"], { env: cleanEnv(dirname(dir), { KAVILO_HOME: dir }) });
      const disk = parse(r).get("system.disk");
      expect(disk.status).toBe("fail");
      expect(disk.summary).toMatch(new RegExp(`^\\d MB free on the disk of ${dir}$`));
      expect(disk.fix).toBe("free some space: old logs/, media/ and sessions/archive/ can go");
      expect(r.code).toBe(2);
    }),
  );

  it(
    "a low disk (a 200 MB tmpfs) is a warning",
    withTmpfs("200m", async (dir) => {
      const r = await runCli(["doctor", "--json"], { env: cleanEnv(dirname(dir), { KAVILO_HOME: dir }) });
      const disk = parse(r).get("system.disk");
      expect(disk.status).toBe("warn");
      expect(disk.summary).toMatch(/^(19\d|200) MB free/);
    }),
  );
});

describe("kavilo doctor: the service unit asks the service manager", () => {
  it("installed and active: ok, asked with systemctl --user is-active", async () => {
    const home = tempHome();
    serviceUnit(home);
    const env = cleanEnv(home, { PATH: fakeSystemctl(home, "active") });
    const { get } = parse(await runCli(["doctor", "--json"], { env }));
    expect(get("service.unit")).toMatchObject({ status: "ok" });
    expect(get("service.unit").summary).toMatch(/^installed and running: .*kavilo\.service$/);
    expect(spawnSync("cat", [join(home, "fake-bin", "calls")], { encoding: "utf8" }).stdout).toBe(
      "--user is-active kavilo.service\n",
    );
  });

  it("installed but failed: a warning that says how to start it and where it says why", async () => {
    const home = tempHome();
    serviceUnit(home);
    const env = cleanEnv(home, { PATH: fakeSystemctl(home, "failed") });
    const c = parse(await runCli(["doctor", "--json"], { env })).get("service.unit");
    expect(c.status).toBe("warn");
    expect(c.summary).toMatch(/^installed but not running \(failed\): .*kavilo\.service$/);
    expect(c.fix).toBe(
      "systemctl --user start kavilo.service (journalctl --user -u kavilo.service says why it stopped)",
    );
  });
});

describe("kavilo doctor: config warnings", () => {
  it("an unknown key is one warn check on stdout and not repeated on stderr", async () => {
    const home = tempHome();
    write(join(home, ".kavilo", "config.json"), JSON.stringify({ surprise: 1 }));
    const r = await runCli(["doctor"], { env: cleanEnv(home), timeoutMs: 30_000 });
    expect(r.stdout.match(/unknown key surprise/g)).toHaveLength(1);
    expect(r.stderr).toBe("");
  });
});

describe("kavilo doctor: credentials expired, unreadable or readable by others", () => {
  it("each credential kind reports its expiry and its file mode", async () => {
    const home = tempHome();
    const kh = join(home, ".kavilo");
    const env = cleanEnv(home, { CODEX_HOME: join(home, ".codex") });
    const closed = await freePort();
    const url = `http://127.0.0.1:${closed}/mcp`;
    write(
      join(kh, "config.json"),
      JSON.stringify({
        tools: {
          mcpServers: {
            stale: { url, auth: { provider: "oauth" } },
            torn: { url, auth: { provider: "oauth" } },
            team: { url, auth: { provider: "slack" } },
          },
        },
      }),
    );
    // Codex: the access token expired, a refresh token is there: kavilo refreshes it.
    write(
      join(home, ".codex", "auth.json"),
      JSON.stringify({
        tokens: {
          access_token: jwt({ exp: Math.floor((Date.now() - HOUR) / 1000) }),
          refresh_token: "rt",
          account_id: "acc-1",
        },
      }),
    );
    // Claude: valid, but others can read it.
    const claude = write(
      join(kh, "auth", "anthropic", "oauth.json"),
      JSON.stringify({
        accessToken: "sk-ant-oat-x",
        refreshToken: "r",
        expiresAt: iso(HOUR),
        source: "login",
        savedAt: iso(0),
      }),
      0o644,
    );
    // MCP OAuth: one expired with a refresh token (and readable by others), one torn file.
    const stale = write(
      join(kh, "mcp-auth", "stale.json"),
      JSON.stringify({
        serverUrl: url,
        clientInformation: { client_id: "kavilo-test" },
        tokens: { access_token: "mcp-old", token_type: "Bearer", refresh_token: "r" },
        expiresAt: iso(-HOUR),
        savedAt: iso(-2 * HOUR),
      }),
      0o640,
    );
    write(join(kh, "mcp-auth", "torn.json"), '{"serverUrl": ');
    // Slack MCP: expired and no refresh token to renew it with.
    write(
      join(kh, "mcp-auth", "slack", "team.json"),
      JSON.stringify({ access_token: "xoxp-old", expires_at: iso(-HOUR), team_name: "Fake" }),
    );
    // AWS SSO: one session never logged in, one whose cache others can read.
    await writeAwsConfig(
      home,
      "work",
      "\n[sso-session never]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    const cache = await writeSsoCache(
      home,
      "work",
      { clientId: "c", clientSecret: "s", accessToken: "a", refreshToken: "r" },
      new Date(Date.now() + HOUR),
      { mode: 0o644 },
    );

    const r = await runCli(["doctor", "--json"], { env, timeoutMs: 30_000 });
    const { get } = parse(r);
    const expectCheck = (id: string, status: string, summary: RegExp, fix?: RegExp) => {
      const c = get(id);
      expect(c.status, id).toBe(status);
      expect(c.summary, id).toMatch(summary);
      if (fix) expect(c.fix ?? "", id).toMatch(fix);
    };
    expectCheck(
      "credentials.codex",
      "warn",
      /^Codex login acc-1, expired /,
      /refreshes it on the next request/,
    );
    expectCheck("credentials.claude", "ok", /^Claude login .*, expires /);
    expectCheck(`home.mode:${claude}`, "warn", /is 0644; it holds secrets and should be 0600/, /chmod 0600/);
    expectCheck("credentials.mcp.stale", "ok", /^MCP stale: login expired, expired .*\(refreshes on use\)$/);
    expectCheck(`home.mode:${stale}`, "warn", /is 0640; it holds secrets/, /chmod 0600/);
    expectCheck("credentials.mcp.torn", "fail", /^MCP torn: /, /kavilo mcp login --server torn/);
    expectCheck(
      "credentials.slack-mcp.team",
      "fail",
      /^Slack MCP team \(Fake\), expired /,
      /mcp slack login team/,
    );
    expectCheck("credentials.aws-sso.never", "warn", /no cached token/, /aws sso login --sso-session never/);
    expectCheck("credentials.aws-sso.work", "ok", /^AWS SSO work, expires /);
    expectCheck(
      "credentials.aws-sso.work.mode",
      "warn",
      new RegExp(`^${cache.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is 0644; a token file should be 0600$`),
      /chmod 600/,
    );
    for (const secret of ["sk-ant-oat-x", "mcp-old", "xoxp-old"]) expect(r.stdout).not.toContain(secret);
  });

  it("openai_codex without a Codex login: the check fails with the login command", async () => {
    const home = tempHome();
    write(
      join(home, ".kavilo", "config.json"),
      JSON.stringify({ agents: { defaults: { provider: "openai_codex", model: "gpt-5.5-codex" } } }),
    );
    const env = cleanEnv(home, { CODEX_HOME: join(home, ".codex") });
    const r = await runCli(["doctor", "--json"], { env, timeoutMs: 30_000 });
    const c = parse(r).get("credentials.codex");
    expect(c.status).toBe("fail");
    expect(c.summary).toMatch(/^Codex: .*auth\.json/);
    expect(c.fix).toBe("run codex login");
    expect(r.code).toBe(2);
  });
});
