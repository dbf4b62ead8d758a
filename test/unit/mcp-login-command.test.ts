import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import mcpLoginCommand from "../../src/cli/commands/mcp-login.js";
import { createContext } from "../../src/cli/context.js";
import { CliError } from "../../src/cli/errors.js";
import { startMcpWeb } from "../fakes/mcp-web.js";

describe("kavilo mcp login (argument checks)", () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "kavilo-mcp-login-cli-"));
    await writeFile(
      join(home, "config.json"),
      JSON.stringify({
        tools: {
          mcpServers: {
            local: { command: "node", args: ["server.js"] },
            slackish: { type: "http", url: "http://127.0.0.1:9/mcp", auth: { provider: "slack" } },
          },
        },
      }),
    );
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const ctx = () => createContext({ home, profile: undefined, source: "env", warnings: [] }, {}, false);

  it("names the configured servers when the alias is unknown", async () => {
    const run = mcpLoginCommand(await ctx(), { server: "nope", browser: false });
    await expect(run).rejects.toBeInstanceOf(CliError);
    await expect(mcpLoginCommand(await ctx(), { server: "nope", browser: false })).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(mcpLoginCommand(await ctx(), { server: "nope", browser: false })).rejects.toThrow(
      'no MCP server "nope" in tools.mcpServers (configured: local, slackish)',
    );
  });

  it("refuses a stdio server", async () => {
    await expect(mcpLoginCommand(await ctx(), { server: "local", browser: false })).rejects.toThrow(
      'MCP server "local" is a stdio server; OAuth login applies to http servers only',
    );
    await expect(mcpLoginCommand(await ctx(), { server: "local", browser: false })).rejects.toMatchObject({
      exitCode: 2,
    });
  });

  it("refuses a server whose auth is not oauth", async () => {
    await expect(mcpLoginCommand(await ctx(), { server: "slackish", browser: false })).rejects.toThrow(
      /uses auth.provider "slack"/,
    );
    await expect(mcpLoginCommand(await ctx(), { server: "slackish", browser: false })).rejects.toMatchObject({
      exitCode: 2,
    });
  });

  it("a server that does not ask for OAuth needs no login: exit 2, one line", async () => {
    const web = await startMcpWeb();
    try {
      await writeFile(
        join(home, "config.json"),
        JSON.stringify({ tools: { mcpServers: { evh: { type: "http", url: `${web.url}/mcp` } } } }),
      );
      await expect(mcpLoginCommand(await ctx(), { server: "evh", browser: false })).rejects.toMatchObject({
        exitCode: 2,
        message: "evh does not ask for OAuth; no login is needed",
      });
    } finally {
      await web.close();
    }
  });
});
