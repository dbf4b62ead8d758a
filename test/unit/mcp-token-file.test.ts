import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authStatus, getValidAccessToken } from "../../src/auth/mcp/oauth-login.js";
import { mcpTokenPath, readMcpTokenFile, writeMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import { TokenFileError, tokenLockPath } from "../../src/auth/token-store.js";
import { withFileMutex } from "../../src/core/base/file-lock.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";

const AS = "http://127.0.0.1:9";
/** A login due for a refresh, with its discovery stored (a refresh needs no metadata requests). */
const dueLogin = (refreshToken: string) => ({
  serverUrl: "http://127.0.0.1:9/mcp",
  clientInformation: { client_id: "c" },
  tokens: { access_token: "at-1", token_type: "Bearer", refresh_token: refreshToken },
  expiresAt: "2030-01-01T00:00:00.000Z",
  savedAt: "2025-01-01T00:00:00.000Z",
  discovery: {
    authorizationServerUrl: AS,
    authorizationServerMetadata: {
      issuer: AS,
      authorization_endpoint: `${AS}/authorize`,
      token_endpoint: `${AS}/token`,
      response_types_supported: ["code"],
    },
  },
});
const rotated = { access_token: "at-2", token_type: "Bearer", refresh_token: "rt-2" };
const inTheMargin = () => new Date("2029-12-31T23:59:30.000Z");

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

  it("goes through the token store: 0600 in a 0700 folder, a file that is not an object is a TokenFileError", async () => {
    await writeMcpTokenFile(paths, "s", dueLogin("rt-1"));
    expect((await stat(mcpTokenPath(paths, "s"))).mode & 0o777).toBe(0o600);
    expect((await stat(paths.mcpAuth)).mode & 0o777).toBe(0o700);
    await writeFile(mcpTokenPath(paths, "arr"), "[]");
    const err = await readMcpTokenFile(paths, "arr").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenFileError);
    expect((err as Error).message).toMatch(/arr\.json does not hold a JSON object; it was left untouched/);
    await writeFile(mcpTokenPath(paths, "torn"), '{"serverUrl": ');
    await expect(readMcpTokenFile(paths, "torn")).rejects.toBeInstanceOf(TokenFileError);
  });

  it("a refresh waits for the token store's lock and adopts the token its holder wrote, without network", async () => {
    await writeMcpTokenFile(paths, "s", dueLogin("rt-1"));
    let calls = 0;
    const offline = async () => {
      calls += 1;
      throw new Error("no network in this test");
    };
    let pending: Promise<string | undefined> | undefined;
    await withFileMutex(tokenLockPath(mcpTokenPath(paths, "s")), async () => {
      pending = getValidAccessToken("s", paths, offline, { now: inTheMargin });
      await new Promise((r) => setTimeout(r, 300));
      // Another process refreshes while holding the lock.
      await writeMcpTokenFile(paths, "s", {
        ...dueLogin("rt-2"),
        tokens: rotated,
        expiresAt: "2031-01-01T00:00:00.000Z",
      });
    });
    expect(await pending).toBe("at-2");
    expect(calls).toBe(0);
  });

  it("a refresh token the server calls spent, already rotated by another process, is adopted", async () => {
    await writeMcpTokenFile(paths, "s", dueLogin("rt-1"));
    const raced = async () => {
      // The other process wins the race: its rotation is on disk when our refresh is refused.
      await writeFile(
        mcpTokenPath(paths, "s"),
        JSON.stringify({ ...dueLogin("rt-2"), tokens: rotated, expiresAt: "2031-01-01T00:00:00.000Z" }),
      );
      return new Response(JSON.stringify({ error: "invalid_grant" }), {
        status: 400,
        headers: { "content-type": "application/json" },
      });
    };
    const late = () => new Date("2030-01-01T00:00:01.000Z");
    expect(await getValidAccessToken("s", paths, raced, { now: late })).toBe("at-2");
    expect(JSON.parse(await readFile(mcpTokenPath(paths, "s"), "utf8")).tokens).toEqual(rotated);
  });
});
