import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, openaiEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { recordedProjectFiles, writeLoadHook } from "../helpers/load-hook.js";

// The validated-config cache through the built CLI: a second `agent -m` with the same config.json
// does not load the config schema (zod), and everything the user sees stays as it was.

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

/** A text only the config schema's module holds (a describe() of the MCP server entry). */
const SCHEMA_MARK = "Older Cline's name for type";

const REALISTIC = {
  agents: { defaults: { model: "gpt-test", provider: "openai", timezone: "Europe/Berlin", maxTokens: 4096 } },
  providers: { openai: { apiKey: "sk-file-key-not-secret-0123456789" } },
  tools: {
    mcpServers: {
      github: { command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], disabled: true },
      linear: { url: "https://mcp.linear.app/sse", type: "sse", enabled: false },
    },
  },
  channels: { telegram: { enabled: false, allowFrom: ["123456789"] } },
};

function homeWith(config: unknown): { user: string; home: string } {
  const user = tempHome("kavilo-config-cache-");
  const home = join(user, ".kavilo");
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, "config.json"), JSON.stringify(config, null, 2), { mode: 0o600 });
  return { user, home };
}

/** The dist/ files a run resolved, through a preload given in NODE_OPTIONS (the hook of lazy-load.test.ts). */
async function agentLoads(user: string, url: string, n: number): Promise<string[]> {
  const { hook, out } = writeLoadHook(user, `loaded-${n}`);
  const r = await runCli(["agent", "-m", "hi", "-q"], {
    env: openaiEnv(user, url, { NODE_OPTIONS: `--import ${hook}` }),
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe("hello\n");
  return recordedProjectFiles(out).filter((f) => f.startsWith("dist/"));
}

const holdsSchema = (files: string[]) =>
  files.filter((f) => readFileSync(join(ROOT, f), "utf8").includes(SCHEMA_MARK));

describe("kavilo agent -m with an unchanged config.json", () => {
  it("validates it once: the next run loads no config schema (zod) and answers the same", async () => {
    llm = await startFakeOpenAI({ steps: [{ text: "hello" }, { text: "hello" }, { text: "hello" }] });
    const { user, home } = homeWith(REALISTIC);
    // The first run of this build validates with the schema, and caches the result.
    expect(holdsSchema(await agentLoads(user, llm.url, 1))).toHaveLength(1);
    const cache = join(home, "cache", "config.json");
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "cache")).mode & 0o777).toBe(0o700);
    expect(holdsSchema(await agentLoads(user, llm.url, 2))).toEqual([]);
    // A changed file is validated again.
    writeFileSync(join(home, "config.json"), JSON.stringify({ ...REALISTIC, tools: {} }));
    expect(holdsSchema(await agentLoads(user, llm.url, 3))).toHaveLength(1);
  });
});

describe("what the user sees does not depend on the cache", () => {
  const get = (user: string, key: string, extra: Record<string, string> = {}) =>
    runCli(["config", "get", key], { env: cleanEnv(user, extra) });

  it("values come from the file as it is now, with env overlays applied over a cached copy", async () => {
    const { user, home } = homeWith({ agents: { defaults: { model: "first-model" } } });
    for (let run = 0; run < 2; run++) {
      expect((await get(user, "agents.defaults.model")).stdout).toBe("first-model\n");
    }
    expect((await get(user, "agents.defaults.model", { KAVILO_MODEL: "env-model" })).stdout).toBe(
      "env-model\n",
    );
    writeFileSync(join(home, "config.json"), JSON.stringify({ agents: { defaults: { model: "second" } } }));
    expect((await get(user, "agents.defaults.model")).stdout).toBe("second\n");
  });

  it("an invalid config.json gives the same one-line error and exit code on every run", async () => {
    const { user, home } = homeWith({ agents: { defaults: { model: "ok" } } });
    expect((await get(user, "agents.defaults.model")).code).toBe(0);
    writeFileSync(join(home, "config.json"), JSON.stringify({ agents: { defaults: { maxTokens: "many" } } }));
    const runs = [await get(user, "agents"), await get(user, "agents")];
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^kavilo: .*config\.json at agents\.defaults\.maxTokens: .*\n$/);
      expect(r.stderr.split("\n")).toHaveLength(2);
    }
    expect(runs[1]!.stderr).toBe(runs[0]!.stderr);
    // A command that never asks for the config still runs.
    const profiles = await runCli(["profile", "list"], { env: cleanEnv(user) });
    expect(profiles.code, profiles.stderr).toBe(0);
    expect(profiles.stdout).toContain(home);
    writeFileSync(join(home, "config.json"), JSON.stringify({ agents: { defaults: { maxTokens: 512 } } }));
    expect((await get(user, "agents.defaults.maxTokens")).stdout).toBe("512\n");
  });

  it("a corrupt cache is ignored and rewritten", async () => {
    const { user, home } = homeWith({ agents: { defaults: { model: "real" } } });
    await get(user, "agents.defaults.model");
    writeFileSync(join(home, "cache", "config.json"), "{ torn");
    expect((await get(user, "agents.defaults.model")).stdout).toBe("real\n");
    expect(JSON.parse(readFileSync(join(home, "cache", "config.json"), "utf8")).source).toContain('"real"');
  });
});
