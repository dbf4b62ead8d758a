import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/cli.js";

/**
 * The official MCP conformance suite's client scenarios against kavilo's built CLI, one at a
 * time, each through test/conformance/client-driver.mjs (mcp login with the driver as the browser,
 * then agent -m --yes). Every server the suite starts listens on localhost: no network is needed.
 *
 * Left out, on purpose:
 * - auth/basic-cimd: a Client ID Metadata Document is an https URL the authorization server fetches;
 *   kavilo is a local CLI with no hosted document to name, so it registers dynamically (the scenario
 *   then ends in a warning by design).
 * - the extension scenarios (auth/client-credentials-*, auth/cross-app-access-*): machine-to-machine
 *   and enterprise grants outside the MCP authorization spec; kavilo logs in users with a browser.
 */
const require = createRequire(import.meta.url);
const SUITE = require.resolve("@modelcontextprotocol/conformance/dist/index.js");
const DRIVER = join(ROOT, "test", "conformance", "client-driver.mjs");
const LEFT_OUT = new Set(["auth/basic-cimd"]);
const run = promisify(execFile);

function clientScenarios(): string[] {
  const out = execFileSync(process.execPath, [SUITE, "list", "--client"], { encoding: "utf8" });
  return [...out.matchAll(/^\s+- (\S+) \[([^\]]+)\]$/gm)]
    .filter(([, name, versions]) => !versions?.includes("extension") && !LEFT_OUT.has(name ?? ""))
    .map(([, name]) => name ?? "");
}

const results = mkdtempSync(join(tmpdir(), "kavilo-conformance-results-"));
afterAll(() => rmSync(results, { recursive: true, force: true }));

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  description: string;
}

describe("MCP conformance suite: client scenarios", () => {
  const scenarios = clientScenarios();

  it("lists every non-extension scenario but auth/basic-cimd", () => {
    expect(existsSync(join(ROOT, "dist", "cli", "main.js")), "run npm run build before this test").toBe(true);
    expect(BIN).toMatch(/kavilo\.js$/);
    expect(scenarios).toEqual(
      expect.arrayContaining([
        "initialize",
        "tools_call",
        "elicitation-sep1034-client-defaults",
        "sse-retry",
        "auth/metadata-var3",
        "auth/scope-from-www-authenticate",
        "auth/scope-step-up",
        "auth/scope-retry-limit",
        "auth/2025-03-26-oauth-endpoint-fallback",
        "auth/pre-registration",
      ]),
    );
    expect(scenarios.length).toBeGreaterThanOrEqual(22);
  });

  it.each(scenarios)("%s", { timeout: 60_000 }, async (scenario) => {
    const dir = join(results, scenario.replace(/\//g, "_"));
    const outcome = await run(
      process.execPath,
      [SUITE, "client", "--command", `"${process.execPath}" "${DRIVER}"`, "--scenario", scenario, "-o", dir],
      { cwd: results, timeout: 55_000, maxBuffer: 16 * 1024 * 1024 },
    ).then(
      () => ({ code: 0 }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code ?? 1, stderr: err.stderr ?? "" }),
    );
    // Saved as <dir>/<scenario>-<time>/checks.json; "auth/x" makes that a folder deeper.
    const file = readdirSync(dir, { recursive: true, encoding: "utf8" }).find((f) =>
      f.endsWith("checks.json"),
    );
    const checks = JSON.parse(readFileSync(join(dir, file ?? "checks.json"), "utf8")) as Check[];
    const bad = checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
    expect(bad.map((c) => `${c.status} ${c.id}: ${c.description}`)).toEqual([]);
    expect(outcome).toEqual({ code: 0 });
  });
});
