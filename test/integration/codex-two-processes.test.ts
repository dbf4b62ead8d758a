import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAiTokenServer, startFakeOpenAiTokenServer } from "../fakes/openai-token-server.js";
import { ROOT } from "../helpers/cli.js";
import { writeCodexAuthFile } from "../helpers/codex-auth.js";

let server: FakeOpenAiTokenServer;
let script: string;

beforeAll(async () => {
  server = await startFakeOpenAiTokenServer();
  // Each child process asks the real credentials getter for a bearer, as a provider does per request.
  const dir = await mkdtemp(join(tmpdir(), "codex-two-"));
  const entry = join(dir, "entry.ts");
  await writeFile(
    entry,
    `import { codexCredentialsGetter } from ${JSON.stringify(join(ROOT, "src/auth/codex/index.ts"))};\n` +
      "const creds = await codexCredentialsGetter(process.env)();\n" +
      "process.stdout.write(JSON.stringify(creds));\n",
  );
  script = join(dir, "child.mjs");
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: script,
    logLevel: "silent",
  });
});
afterAll(() => server.close());

function child(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("two processes with an expired Codex token", () => {
  it("rotate the refresh token exactly once, and both get the same fresh bearer", async () => {
    const home = await mkdtemp(join(tmpdir(), "codex-two-home-"));
    const codexHome = join(home, "codex");
    const login = await server.mint({ ttlS: -60 }); // already expired
    const path = await writeCodexAuthFile(codexHome, login);
    server.setDelay(300); // both are waiting on the endpoint or the lock at the same time
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      CODEX_HOME: codexHome,
      CODEX_REFRESH_TOKEN_URL_OVERRIDE: server.tokenUrl,
    };
    const [a, b] = await Promise.all([child(env), child(env)]);
    expect(a?.err).toBe("");
    expect(b?.err).toBe("");
    expect(a?.code).toBe(0);
    expect(b?.code).toBe(0);
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.reused).toBe(0);
    expect(server.uses.get(login.refresh_token)).toBe(1);
    const onDisk = JSON.parse(await readFile(path, "utf8")) as { tokens: Record<string, string> };
    const credsA = JSON.parse(a?.out ?? "{}") as { bearer: string; headers: Record<string, string> };
    const credsB = JSON.parse(b?.out ?? "{}") as { bearer: string };
    expect(credsA.bearer).toBe(onDisk.tokens.access_token);
    expect(credsB.bearer).toBe(onDisk.tokens.access_token);
    expect(credsA.bearer).not.toBe(login.access_token);
    expect(credsA.headers).toEqual({ "ChatGPT-Account-ID": "acc-fake-123" });
  }, 20_000);
});
