import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { openaiEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { definesName, writeLoadHook } from "../helpers/load-hook.js";

// `agent -m` with an OpenAI-compatible provider, no MCP server, no Claude login and no memory
// consolidation due: what it must not load. Each piece is found by its definition (definesName), and
// each is first checked to be in the build, so a rename fails here, not silently.
let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: () => ({ text: "done" }) });
});
afterAll(async () => llm?.close());

// agent -m runs from the fast path's build (dist/fast/), where each of these must exist.
const DIST_FILES = [
  ...readdirSync(join(ROOT, "dist/fast/chunks")).map((f) => join(ROOT, "dist/fast/chunks", f)),
  join(ROOT, "dist/fast/fast.js"),
];
const holding = (name: string, files: readonly string[]) =>
  files.filter((f) => definesName(readFileSync(f, "utf8"), name));

/** The project files `agent -m` loads, found by a resolve hook (as in lazy-load.test.ts). */
async function agentLoads(home: string): Promise<string[]> {
  const { hook, out } = writeLoadHook(home);
  const r = await runCli(["agent", "-m", "hi", "-q"], {
    env: openaiEnv(home, llm.url, { NODE_OPTIONS: `--import=${hook}` }),
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe("done\n");
  return [...new Set(readFileSync(out, "utf8").split("\n").filter(Boolean))].map((u) => new URL(u).pathname);
}

describe("agent -m loads only what an OpenAI-compatible one-shot needs", () => {
  it("no Claude login code, no memory consolidator, no YAML parser (a session already on file)", async () => {
    const home = tempHome("kavilo-lazy-agent-");
    await agentLoads(home); // the session and its memory record now exist
    const loaded = await agentLoads(home);
    for (const name of [
      "claudeCredentialsGetter", // auth/claude/credentials.ts: per-request token reading and refresh
      "parseClaudeToken", // auth/claude/token-file.ts: the token file's schema
      "ClaudeOAuthError", // auth/claude/oauth-client.ts
      "Consolidator", // core/memory/consolidate.ts: only when a consolidation is due
      "parseSaveMemoryArgs", // core/memory/save-memory.ts: the forced tool of a consolidation
      "YAMLParseError", // the yaml package: only for a frontmatter simple-yaml.ts cannot read
    ]) {
      expect(holding(name, DIST_FILES), `${name} is in the build`).not.toEqual([]);
      expect(holding(name, loaded), `${name} was loaded`).toEqual([]);
    }
  });
});
