import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server.js";
import { startFakeTelegram } from "../fakes/telegram-server.js";
import { ROOT, tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo } from "./start-harness.js";

const BINARY = join(ROOT, "build", "kavilo");

// `make binary` builds one executable; it must work where no `node` is on PATH.
describe("single executable (make binary)", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, "scripts/build-binary.mjs")], { cwd: ROOT, stdio: "pipe" });
  }, 180_000);

  afterAll(() => killAll());

  const run = (args: string[], home: string, opts: { env?: Record<string, string>; tty?: boolean } = {}) => {
    // An empty PATH directory: nothing called `node` can be found.
    const emptyBin = mkdtempSync(join(tmpdir(), "kavilo-nobin-"));
    const env = { HOME: home, PATH: emptyBin, LANG: "C.UTF-8", ...opts.env };
    // `script` gives the binary a terminal, as a user typing `kavilo agent` has.
    const r = opts.tty
      ? spawnSync("/usr/bin/script", ["-qec", [BINARY, ...args].join(" "), "/dev/null"], {
          env,
          encoding: "utf8",
          input: "",
        })
      : spawnSync(BINARY, args, { env, encoding: "utf8" });
    const which = spawnSync("/bin/sh", ["-c", "command -v node"], {
      env: { PATH: emptyBin },
      encoding: "utf8",
    });
    expect(which.stdout.trim()).toBe("");
    return r;
  };

  it("runs --version and status with no node on PATH", () => {
    expect(existsSync(BINARY)).toBe(true);
    const home = tempHome();
    const version = run(["--version"], home);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const status = run(["status"], home);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(join(home, ".kavilo"));
    expect(status.stdout).toMatch(/provider\s+none/);
  });

  it("reads config and reports a bad file like the npm build", () => {
    const home = tempHome();
    const onboard = run(["onboard", "--yes"], home);
    expect(onboard.status).toBe(0);
    writeFileSync(join(home, ".kavilo", "config.json"), '{"agents":{"defaults":{"maxTokens":-1}}}');
    const bad = run(["config", "validate"], home);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("agents.defaults.maxTokens");
  });

  it("carries the built-in skills and writes them out where read_file can read them", () => {
    const home = tempHome();
    const r = run(["skills", "list", "--json"], home);
    expect(r.status, r.stderr).toBe(0);
    const { skills } = JSON.parse(r.stdout) as { skills: { name: string; source: string; path: string }[] };
    expect(skills.map((s) => `${s.name}:${s.source}`)).toEqual([
      "cron:builtin",
      "memory:builtin",
      "skill-creator:builtin",
    ]);
    for (const s of skills) {
      expect(s.path.startsWith(join(home, ".kavilo", "builtin-skills"))).toBe(true);
      expect(readFileSync(s.path, "utf8")).toBe(
        readFileSync(join(ROOT, "skills", s.name, "SKILL.md"), "utf8"),
      );
    }
  });

  it("runs cron add and cron list (node-cron's import.meta.url is defined in the bundle)", () => {
    const home = tempHome();
    const add = run(["cron", "add", "--message", "water the plants", "--every", "3600"], home);
    expect(add.status, add.stderr).toBe(0);
    const list = run(["cron", "list"], home);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain("water the plants");
    expect(list.stdout).toContain("every 1h");
  });

  it("says in one line that the TUI is not in the binary, exit 2", () => {
    const home = tempHome();
    const r = run(["agent"], home, { tty: true, env: { OPENAI_API_KEY: "sk-test-not-secret" } });
    expect(r.status).toBe(2);
    const out = r.stdout.trim();
    expect(out).toMatch(/^kavilo: The interactive TUI is not part of the single binary/);
    expect(out.split("\n")).toHaveLength(1);
    // without a terminal it asks for -m, as the npm build does
    const noTty = run(["agent"], home, { env: { OPENAI_API_KEY: "sk-test-not-secret" } });
    expect(noTty.status).toBe(2);
    expect(noTty.stderr).toContain('kavilo agent -m "your message"');
  });

  it("runs start with Telegram and answers a message", async () => {
    const llm = await startFakeOpenAI({ respond: () => ({ text: "pong from the binary" }) });
    const tg = await startFakeTelegram();
    try {
      const kavilo = await startKavilo({
        bin: BINARY,
        config: {
          channels: {
            telegram: { enabled: true, token: tg.token, allowFrom: ["1001"], apiRoot: tg.apiRoot },
          },
        },
        env: (home) => llmEnv(home, llm.url),
        ready: /telegram: connected as @kavilo_bot/,
      });
      tg.sendText({ chatId: 1001, from: 1001, text: "ping" });
      await tg.waitFor(() => tg.sent().some((p) => String(p.text).includes("pong from the binary")));
      expect(await kavilo.stop()).toBe(0);
    } finally {
      killAll();
      await tg.close();
      await llm.close();
    }
  }, 30_000);
});
