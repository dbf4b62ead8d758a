import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makePaths } from "../../src/core/base/paths.js";
import { parseConfig } from "../../src/core/config/parse.js";
import { mcpOAuthChecks } from "../../src/diagnostics/credentials.js";
import { mcpChecks } from "../../src/diagnostics/mcp.js";

// `kavilo mcp login` takes the alias as --server <alias> (a required option, no positional):
// a fix line that reads `kavilo mcp login srv` would fail with "required option '--server'".
const LOGIN = /kavilo mcp login --server srv\b/;

let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe("the fix lines of status and doctor for an MCP OAuth login", () => {
  it("a server that needs a login, or has a damaged token file, says mcp login --server <alias>", () => {
    const [needs, damaged] = mcpChecks([
      { alias: "srv", transport: "http", enabled: true, auth: "oauth", state: "failed", error: "401" },
      { alias: "srv", transport: "http", enabled: true, auth: "oauth", authError: "torn file" },
    ]);
    expect(needs?.fix).toMatch(LOGIN);
    expect(damaged?.fix).toMatch(LOGIN);
  });

  it("a Slack server keeps mcp slack login <alias>", () => {
    const [c] = mcpChecks([
      { alias: "srv", transport: "http", enabled: true, auth: "slack", state: "failed", error: "401" },
    ]);
    expect(c?.fix).toMatch(/kavilo mcp slack login srv\b/);
  });

  it("credentials: not logged in and an unreadable token file say mcp login --server <alias>", async () => {
    home = mkdtempSync(join(tmpdir(), "kavilo-hint-"));
    const paths = makePaths(home);
    const server = { type: "http", url: "https://x.example/mcp", auth: { provider: "oauth" } };
    const { config } = parseConfig({ tools: { mcpServers: { srv: server } } }, join(home, "config.json"));
    const [missing] = await mcpOAuthChecks(config, paths, new Date());
    expect(missing).toMatchObject({ status: "warn" });
    expect(missing?.fix).toMatch(LOGIN);
    mkdirSync(paths.mcpAuth, { recursive: true });
    writeFileSync(join(paths.mcpAuth, "srv.json"), '{"serverUrl": ');
    const [torn] = await mcpOAuthChecks(config, paths, new Date());
    expect(torn).toMatchObject({ status: "fail" });
    expect(torn?.fix).toMatch(LOGIN);
  });
});
