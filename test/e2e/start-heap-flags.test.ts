import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo, writeConfig } from "./start-harness.js";

let llm: FakeLlm | undefined;
let tg: FakeTelegram | undefined;

afterEach(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

/** The command line the kernel has for a pid (Linux): what the process runs as now, after any exec. */
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);

async function running(args: string[], extraEnv: Record<string, string> = {}, profile?: string) {
  llm = await startFakeOpenAI({ respond: () => ({ text: "ok" }) });
  tg = await startFakeTelegram();
  const home = tempHome();
  const config = {
    channels: { telegram: { enabled: true, token: tg.token, allowFrom: ["1"], apiRoot: tg.apiRoot } },
  };
  if (profile) {
    const dir = join(home, ".kavilo", "profiles", profile);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  } else writeConfig(home, config);
  const env = llmEnv(home, llm.url, extraEnv);
  return startKavilo({ home, env: () => env, args, ready: /telegram: connected/ });
}

describe.skipIf(!existsSync("/proc/self/cmdline"))("kavilo start's V8 heap sizes", () => {
  it("runs in place (same pid) with small V8 semi-spaces and old space, global flags before start included", async () => {
    const kavilo = await running(["--debug"]);
    const argv = cmdline(kavilo.child.pid as number);
    expect(argv).toContain("--max-semi-space-size=2");
    expect(argv).toContain("--max-old-space-size=512");
    expect(argv.slice(-2)).toEqual(["--debug", "start"]);
    expect(await kavilo.stop("SIGTERM")).toBe(0);
  });

  it("finds start behind -i/--instance <name> too, as behind -p/--profile", async () => {
    const kavilo = await running(["-i", "work"], {}, "work");
    const argv = cmdline(kavilo.child.pid as number);
    expect(argv).toContain("--max-old-space-size=512");
    expect(argv.slice(-3)).toEqual(["-i", "work", "start"]);
    expect(await kavilo.stop("SIGTERM")).toBe(0);
  });

  it("keeps a heap size the user gave in NODE_OPTIONS", async () => {
    const kavilo = await running([], { NODE_OPTIONS: "--max-semi-space-size=8" });
    const argv = cmdline(kavilo.child.pid as number);
    expect(argv.some((a) => a.startsWith("--max-semi-space-size"))).toBe(false);
    expect(argv).toContain("--max-old-space-size=512");
    expect(await kavilo.stop("SIGTERM")).toBe(0);
  });
});
