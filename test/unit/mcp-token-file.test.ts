import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authStatus, getValidAccessToken } from "../../src/auth/mcp/oauth-login.js";
import { mcpTokenPath, readMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";

describe("MCP token files", () => {
  let home: string;
  let paths: Paths;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "kavilo-mcp-tokfile-"));
    paths = makePaths(home);
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("refuses aliases that would leave mcp-auth/", () => {
    expect(() => mcpTokenPath(paths, "../evil")).toThrow(/invalid MCP server alias/);
    expect(() => mcpTokenPath(paths, ".hidden")).toThrow(/invalid MCP server alias/);
    expect(mcpTokenPath(paths, "my-server_1.x")).toBe(join(paths.mcpAuth, "my-server_1.x.json"));
  });

  it("is missing when there is no login, and says what is wrong with a bad file", async () => {
    expect(await authStatus("none", paths)).toEqual({ state: "missing" });
    expect(await getValidAccessToken("none", paths)).toBeUndefined();
    await mkdir(paths.mcpAuth, { recursive: true });
    await writeFile(mcpTokenPath(paths, "bad"), JSON.stringify({ serverUrl: "x", tokens: {} }));
    await expect(readMcpTokenFile(paths, "bad")).rejects.toThrow(/bad\.json is not a valid MCP token file: /);
  });

  it("uses the stored token as is while it is far from expiry, without any network", async () => {
    await mkdir(paths.mcpAuth, { recursive: true });
    await writeFile(
      mcpTokenPath(paths, "s"),
      JSON.stringify({
        serverUrl: "http://127.0.0.1:9/mcp",
        clientInformation: { client_id: "c" },
        tokens: { access_token: "at-1", token_type: "Bearer", refresh_token: "rt-1" },
        expiresAt: "2030-01-01T00:00:00.000Z",
        savedAt: "2025-01-01T00:00:00.000Z",
      }),
    );
    const now = () => new Date("2029-12-31T23:00:00.000Z");
    expect(await getValidAccessToken("s", paths, undefined, { now })).toBe("at-1");
    expect(await authStatus("s", paths, { now })).toEqual({
      state: "valid",
      expiresAt: "2030-01-01T00:00:00.000Z",
    });
    expect((await authStatus("s", paths, { now: () => new Date("2030-01-02T00:00:00Z") })).state).toBe(
      "expired",
    );
  });

  it("keeps using a token inside the refresh margin when it cannot be refreshed", async () => {
    await mkdir(paths.mcpAuth, { recursive: true });
    const file = {
      serverUrl: "http://127.0.0.1:9/mcp",
      clientInformation: { client_id: "c" },
      tokens: { access_token: "at-1", token_type: "Bearer" },
      expiresAt: "2030-01-01T00:00:00.000Z",
      savedAt: "2025-01-01T00:00:00.000Z",
    };
    await writeFile(mcpTokenPath(paths, "s"), JSON.stringify(file));
    const soon = () => new Date("2029-12-31T23:59:30.000Z");
    const late = () => new Date("2030-01-01T00:00:01.000Z");
    // No refresh token: valid until the real expiry, then gone.
    expect(await getValidAccessToken("s", paths, undefined, { now: soon })).toBe("at-1");
    expect(await getValidAccessToken("s", paths, undefined, { now: late })).toBeUndefined();
    // A refresh token but an unreachable token endpoint: the still-valid token is used.
    await writeFile(
      mcpTokenPath(paths, "s"),
      JSON.stringify({ ...file, tokens: { ...file.tokens, refresh_token: "rt-1" } }),
    );
    expect(await getValidAccessToken("s", paths, undefined, { now: soon })).toBe("at-1");
    await expect(getValidAccessToken("s", paths, undefined, { now: late })).rejects.toThrow(
      /s: token refresh failed/,
    );
  });
});
