import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeNpmRegistry, startFakeNpmRegistry } from "../fakes/npm-registry.js";
import { startFakeOpenAI } from "../fakes/openai-server.js";
import { ROOT, tempHome } from "../helpers/cli.js";

// `npm pack`, then `npm i -g` of the tarball into a temp prefix, as a user installs kavilo. Packuments
// come from a fake registry built from package-lock.json, tarballs from npm's cache (npm ci filled
// it); a dead proxy makes any request that would leave the machine fail.
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

let registry: FakeNpmRegistry;
let work: string;
let prefix: string;
let tarball: string;
let installLog: string;

function sizeOf(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0);
}

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd: env.HOME, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const npmEnv = () => ({
  ...process.env,
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
  npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? "/root", ".npm"),
  npm_config_update_notifier: "false",
});

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
  work = mkdtempSync(join(tmpdir(), "kavilo-pack-"));
  prefix = join(work, "prefix");
  // dist/ is already built (npm run build); prepack would rebuild it under other tests' feet.
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
    cwd: ROOT,
    env: npmEnv(),
    encoding: "utf8",
  });
  tarball = join(work, (JSON.parse(packed) as { filename: string }[])[0]?.filename ?? "");
  registry = await startFakeNpmRegistry(join(ROOT, "package-lock.json"));
  // not spawnSync: the fake registry answers from this process's event loop
  const r = await run(
    "npm",
    [
      "i",
      "-g",
      "--prefix",
      prefix,
      "--registry",
      registry.url,
      "--replace-registry-host=never",
      "--prefer-offline",
      "--https-proxy=http://127.0.0.1:9",
      "--proxy=http://127.0.0.1:9",
      "--noproxy=127.0.0.1",
      "--no-audit",
      "--no-fund",
      tarball,
    ],
    npmEnv(),
  );
  installLog = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`npm i -g failed:\n${installLog}`);
}, 120_000);

afterAll(async () => {
  await registry?.close();
});

describe("npm i -g of the packed tarball", () => {
  const kavilo = (args: string[], home: string, env: Record<string, string> = {}) =>
    spawnSync(join(prefix, "bin", "kavilo"), args, {
      env: {
        HOME: home,
        PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
        LANG: "C.UTF-8",
        NO_COLOR: "1",
        OLLAMA_HOST: "127.0.0.1:9",
        ...env,
      },
      cwd: home,
      encoding: "utf8",
      timeout: 30_000,
    });

  it("carries the LICENSE and the package metadata, and builds in prepack, not prepare", () => {
    const listing = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(listing).toContain("package/LICENSE");
    expect(listing).toContain("package/bin/kavilo.js");
    expect(listing.some((f) => f.startsWith("package/src/"))).toBe(false);
    const installed = JSON.parse(
      readFileSync(join(prefix, "lib/node_modules/kavilo/package.json"), "utf8"),
    ) as Record<string, unknown>;
    for (const key of ["repository", "homepage", "bugs", "keywords"]) expect(installed[key]).toBeTruthy();
    expect(pkg.scripts.prepack).toBe("npm run build");
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(installLog).not.toMatch(/allowScripts|prepare/i);
  });

  it("stays under 40 MB with only the run-time dependencies", () => {
    const bytes = sizeOf(join(prefix, "lib/node_modules/kavilo"));
    expect(bytes).toBeLessThan(40 * 1024 * 1024);
    // everything else is bundled into dist/
    expect(Object.keys(pkg.dependencies).sort()).toEqual([
      "@slack/socket-mode",
      "@slack/web-api",
      "grammy",
      "node-cron",
      "open",
      "pino",
      "undici",
    ]);
    // no packument was fetched for a bundled dependency
    for (const bundled of ["openai", "@anthropic-ai/sdk", "ink", "zod", "@modelcontextprotocol/sdk"])
      expect(registry.requested).not.toContain(bundled);
  });

  it("runs --version, onboard -y, status and a one-shot against the fake", async () => {
    const home = tempHome();
    const version = kavilo(["--version"], home);
    expect(version.stdout).toBe(`${pkg.version}\n`);
    const onboard = kavilo(["onboard", "-y"], home);
    expect(onboard.status, onboard.stderr).toBe(0);
    expect(existsSync(join(home, ".kavilo", "config.json"))).toBe(true);
    const status = kavilo(["status", "--no-mcp"], home);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain(`config       ${join(home, ".kavilo", "config.json")} (valid)`);
    const llm = await startFakeOpenAI({ respond: () => ({ text: "hello from the installed kavilo" }) });
    try {
      const env = {
        KAVILO_PROVIDER: "openai",
        KAVILO_API_BASE: llm.url,
        KAVILO_API_KEY: "test-key-not-secret",
        KAVILO_MODEL: "gpt-test",
      };
      const r = await run(join(prefix, "bin", "kavilo"), ["agent", "-m", "hi"], {
        HOME: home,
        PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
        NO_COLOR: "1",
        ...env,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("hello from the installed kavilo");
    } finally {
      await llm.close();
    }
  });
});

describe("a checkout without dist/", () => {
  it("says to build, in one line, exit 2 (npm install no longer builds: prepack does)", () => {
    const checkout = mkdtempSync(join(tmpdir(), "kavilo-nodist-"));
    mkdirSync(join(checkout, "bin"));
    copyFileSync(join(ROOT, "bin/kavilo.js"), join(checkout, "bin/kavilo.js"));
    const r = spawnSync(process.execPath, [join(checkout, "bin/kavilo.js"), "status"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("kavilo: dist/ is not built in this checkout: run npm run build (or make build)\n");
  });

  it("says the same, not a module-not-found trace, for a dist/ built before the fast path (dist/cli/ only)", () => {
    const checkout = mkdtempSync(join(tmpdir(), "kavilo-olddist-"));
    mkdirSync(join(checkout, "bin"));
    mkdirSync(join(checkout, "dist", "cli"), { recursive: true });
    copyFileSync(join(ROOT, "bin/kavilo.js"), join(checkout, "bin/kavilo.js"));
    writeFileSync(join(checkout, "dist/cli/main.js"), "export async function main() {}\n");
    const r = spawnSync(process.execPath, [join(checkout, "bin/kavilo.js"), "status"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("kavilo: dist/ is not built in this checkout: run npm run build (or make build)\n");
  });
});
