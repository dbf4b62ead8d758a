import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
});

function profile(): { home: string; dir: string; file: string; env: NodeJS.ProcessEnv } {
  const home = tempHome("kavilo-cfg-hard-");
  const dir = join(home, ".kavilo");
  mkdirSync(dir, { recursive: true });
  return {
    home,
    dir,
    file: join(dir, "config.json"),
    env: cleanEnv(home, { ANTHROPIC_API_KEY: "sk-ant-x" }),
  };
}

/** One line on stderr naming the file, exit 2, for every command that reads the config. */
async function expectConfigError(env: NodeJS.ProcessEnv, file: string, what: RegExp): Promise<void> {
  for (const args of [
    ["config", "validate"],
    ["config", "get"],
    ["config", "set", "agents.defaults.model", "x"],
  ]) {
    const r = await runCli(args, { env, timeoutMs: 10_000 });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toMatch(what);
    expect(r.stdout).not.toMatch(/does not exist/);
  }
}

describe("config.json that is not a regular file", () => {
  it("a symlink loop is a config error naming the file", async () => {
    const { file, env } = profile();
    symlinkSync(file, file);
    await expectConfigError(env, file, /symlink loop/);
  });

  it("a dangling symlink is an error, not 'missing', and config set creates nothing at its target", async () => {
    const { home, file, env } = profile();
    const target = join(home, "elsewhere", "deep", "config.json");
    symlinkSync(target, file);
    await expectConfigError(env, file, /symlink to .*elsewhere.*does not exist/);
    expect(existsSync(join(home, "elsewhere"))).toBe(false);
  });

  it("a FIFO, a socket and a device are config errors and nothing hangs", async () => {
    const fifo = profile();
    execFileSync("mkfifo", [fifo.file]);
    await expectConfigError(fifo.env, fifo.file, /FIFO/);

    const sock = profile();
    const server = createServer().listen(sock.file);
    await new Promise((r) => server.once("listening", r));
    try {
      await expectConfigError(sock.env, sock.file, /socket/);
    } finally {
      server.close();
    }

    const device = profile();
    symlinkSync("/dev/zero", device.file);
    await expectConfigError(device.env, device.file, /device/);
  });
});

describe("config.json content", () => {
  it("very deep nesting is a one-line config error naming the file", async () => {
    const { file, env } = profile();
    const n = 100_000;
    writeFileSync(file, `{"agents":{"defaults":{}},"x":${"[".repeat(n)}${"]".repeat(n)}}`);
    await expectConfigError(env, file, /nested more than 64 levels/);
  });

  it("a time zone Intl does not know is a config error at agents.defaults.timezone", async () => {
    const { file, env } = profile();
    writeFileSync(file, JSON.stringify({ agents: { defaults: { timezone: "Mars/Olympus_Mons" } } }));
    const r = await runCli(["agent", "-m", "hi"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${file} at agents.defaults.timezone: unknown time zone "Mars/Olympus_Mons"`);
  });

  it("a byte-order mark is accepted", async () => {
    const { file, env } = profile();
    writeFileSync(file, `\uFEFF${JSON.stringify({ agents: { defaults: { model: "bom-model" } } })}`);
    const r = await runCli(["config", "get", "agents.defaults.model"], { env });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("bom-model");
  });

  it("a workspace that cannot be created is a config error naming the key", async () => {
    const { home, file, env } = profile();
    writeFileSync(join(home, "a-file"), "x");
    writeFileSync(file, JSON.stringify({ agents: { defaults: { workspace: join(home, "a-file", "ws") } } }));
    const r = await runCli(["agent", "-m", "hi"], { env });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${file} at agents.defaults.workspace: cannot create the workspace`);
  });
});

describe("config set", () => {
  it("refuses __proto__, constructor and prototype anywhere in the key", async () => {
    const { file, env } = profile();
    for (const key of ["__proto__.polluted", "agents.constructor", "tools.prototype.x", "__proto__"]) {
      const r = await runCli(["config", "set", key, "1"], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/the key (__proto__|constructor|prototype) is not allowed/);
    }
    expect(existsSync(file)).toBe(false);
  });

  it("from several processes at once loses no update", async () => {
    const { file, env } = profile();
    writeFileSync(file, JSON.stringify({ agents: { defaults: {} } }));
    const n = 8;
    const runs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        runCli(["config", "set", `providers.p${i}.apiBase`, `http://127.0.0.1:${1000 + i}/v1`], {
          env,
          timeoutMs: 30_000,
        }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(file, "utf8")) as {
      providers: Record<string, { apiBase: string }>;
    };
    for (let i = 0; i < n; i++)
      expect(saved.providers[`p${i}`]?.apiBase).toBe(`http://127.0.0.1:${1000 + i}/v1`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(`${file}.kavilo-lock`)).toBe(false);
  });

  it("writes through a symlinked config.json to its target, keeping the link", async () => {
    const { home, file, env } = profile();
    const target = join(home, "dotfiles", "kavilo.json");
    mkdirSync(join(home, "dotfiles"));
    writeFileSync(target, "{}");
    symlinkSync(target, file);
    const r = await runCli(["config", "set", "agents.defaults.model", "linked"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(target, "utf8"))).toEqual({ agents: { defaults: { model: "linked" } } });
    expect(readFileSync(file, "utf8")).toBe(readFileSync(target, "utf8"));
  });
});
