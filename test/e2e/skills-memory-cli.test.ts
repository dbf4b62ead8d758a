import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bodyOf, type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, cleanEnv, openaiEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { recordedProjectFiles, writeLoadHook } from "../helpers/load-hook.js";

/** Whether the YAML parser's chunk was loaded by a built-CLI run in this home. */
function loadsYaml(home: string, args: string[]): boolean {
  const { hook, out } = writeLoadHook(home);
  const r = spawnSync(process.execPath, ["--import", hook, BIN, ...args], {
    env: cleanEnv(home),
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return recordedProjectFiles(out)
    .filter((f) => f.startsWith("dist/"))
    .some((f) => readFileSync(join(ROOT, f), "utf8").includes("YAMLParseError"));
}

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

describe("kavilo skills list (built CLI)", () => {
  it("--json lists workspace and built-in skills with source, availability and reason", async () => {
    const home = tempHome();
    const ws = join(home, ".kavilo", "workspace");
    for (const [name, text] of [
      ["cron", "---\nname: cron\ndescription: The user's own reminders skill.\n---\n"],
      [
        "gh",
        `---\nname: gh\ndescription: GitHub via gh.\nmetadata: '{"nanobot":{"requires":{"bins":["kv-no-such-bin"]}}}'\n---\n`,
      ],
    ]) {
      mkdirSync(join(ws, "skills", name!), { recursive: true });
      writeFileSync(join(ws, "skills", name!, "SKILL.md"), text!);
    }
    const r = await runCli(["skills", "list", "--json"], { env: cleanEnv(home) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { skills: Record<string, unknown>[]; warnings: string[] };
    expect(out.warnings).toEqual([]);
    expect(out.skills.map((s) => [s.name, s.source, s.available, s.reason ?? null])).toEqual([
      ["cron", "workspace", true, null],
      ["gh", "workspace", false, "missing on PATH: kv-no-such-bin"],
      ["memory", "builtin", true, null],
      ["skill-creator", "builtin", true, null],
    ]);
    expect(out.skills.find((s) => s.name === "memory")?.path).toBe(
      join(ROOT, "skills", "memory", "SKILL.md"),
    );

    const text = await runCli(["skills", "list"], { env: cleanEnv(home) });
    expect(text.stdout).toContain("gh             workspace  unavailable: missing on PATH: kv-no-such-bin\n");
    expect(text.stdout).toContain("memory         builtin    always\n");
  });
});

describe("the YAML parser loads only when a frontmatter needs it", () => {
  it("not for the built-in skills; yes for a folded description, which it reads", async () => {
    const home = tempHome();
    expect(loadsYaml(home, ["skills", "list", "--json"])).toBe(false);
    const dir = join(home, ".kavilo", "workspace", "skills", "folded");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "SKILL.md"), "---\nname: folded\ndescription: >\n  two\n  lines\n---\n");
    expect(loadsYaml(home, ["skills", "list", "--json"])).toBe(true);
    const r = await runCli(["skills", "list", "--json"], { env: cleanEnv(home) });
    expect(JSON.parse(r.stdout).skills[0]).toMatchObject({ name: "folded", description: "two lines" });
  });
});

describe("read_file and the built-in skills", () => {
  it("reads a built-in SKILL.md outside the workspace with restrictToWorkspace on", async () => {
    const path = join(ROOT, "skills", "cron", "SKILL.md");
    llm = await startFakeOpenAI({
      steps: [{ toolCalls: [{ name: "read_file", args: { path } }] }, { text: "Read it." }],
    });
    const home = tempHome();
    const env = openaiEnv(home, llm.url);
    const r = await runCli(["agent", "-m", "how do reminders work?"], { env });
    expect(r.code, r.stderr).toBe(0);
    const messages = bodyOf(llm.requests[1]).messages as { role: string; content: string }[];
    const result = messages.find((m) => m.role === "tool");
    expect(result?.content).toContain("# Reminders and schedules");
    expect(r.stdout).toContain("Read it.");
  });
});

describe("kavilo agent -m --new", () => {
  it("answers in a fresh session; without it, cli:default goes on", async () => {
    llm = await startFakeOpenAI({ steps: [{ text: "ok" }] });
    const home = tempHome();
    const env = openaiEnv(home, llm.url);
    const ask = async (args: string[]) => {
      const r = await runCli(["agent", ...args], { env });
      expect(r.code, r.stderr).toBe(0);
      return JSON.stringify(bodyOf(llm!.requests.at(-1)).messages);
    };
    await ask(["-m", "my cat is called Miso"]);
    const fresh = await ask(["--new", "-m", "what is my cat called?"]);
    expect(fresh).not.toContain("Miso");
    const again = await ask(["-m", "and again?"]);
    expect(again).toContain("Miso");
    expect(again).not.toContain("what is my cat called?");
    // The system prompt lists the built-in skills, and the memory skill's body is in it (always).
    const system = JSON.stringify(bodyOf(llm.requests.at(-1)).messages);
    expect(system).toContain("<name>skill-creator</name>");
    expect(system).toContain("### Skill: memory");
    const sessions = readdirSync(join(home, ".kavilo", "workspace", "sessions")).filter((f) =>
      f.endsWith(".jsonl"),
    );
    expect(sessions).toHaveLength(2);
  });
});

describe("kavilo agent -m while memory is consolidated", () => {
  it("says so on stderr (not with --quiet), then answers; MEMORY.md and HISTORY.md get the summary", async () => {
    llm = await startFakeOpenAI({
      respond: (req) => {
        const tools = (bodyOf(req).tools ?? []) as { function?: { name?: string } }[];
        if (tools.length === 1 && tools[0]?.function?.name === "save_memory") {
          return {
            toolCalls: [
              {
                name: "save_memory",
                args: {
                  history_entry: "[2026-12-07 09:30] The user named their cat Miso.",
                  memory_update: "# Memory\n\n- the cat is Miso\n",
                },
              },
            ],
          };
        }
        return { text: "ok" };
      },
    });
    const home = tempHome();
    // A small window (a 2k-token budget): the long first turn is consolidated before the next one.
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    writeFileSync(
      join(home, ".kavilo", "config.json"),
      JSON.stringify({ agents: { defaults: { contextWindow: 4096, maxTokens: 1024 } } }),
    );
    const env = openaiEnv(home, llm.url);
    const first = await runCli(["agent", "-m", `my cat is called Miso. ${"and so on ".repeat(2000)}`], {
      env,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain("consolidating");
    const second = await runCli(["agent", "-m", `what else? ${"more words ".repeat(2000)}`], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("kavilo: consolidating memory: summarizing 2 older messages…\n");
    expect(second.stdout).toBe("ok\n");
    const workspace = join(home, ".kavilo", "workspace");
    expect(readFileSync(join(workspace, "MEMORY.md"), "utf8")).toContain("the cat is Miso");
    expect(readFileSync(join(workspace, "memory", "HISTORY.md"), "utf8")).toContain("named their cat Miso");
    const quiet = await runCli(["agent", "--quiet", "-m", "and now?"], { env });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe("");
    // The quiet run consolidated too (the long second turn), silently.
    const entries = readFileSync(join(workspace, "memory", "HISTORY.md"), "utf8").match(
      /named their cat Miso/g,
    );
    expect(entries).toHaveLength(2);
  });
});
