import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authStatus, getValidAccessToken, mcpLogin } from "../../src/auth/mcp/oauth-login.js";
import { readMcpTokenFile, writeMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import type { McpServerConfig } from "../../src/core/config/schema.js";
import type { ToolContext } from "../../src/core/tools/types.js";
import { createMcpPool } from "../../src/mcp/client/pool.js";
import { type FakeOAuthServer, followAuthorization, startFakeOAuthServer } from "../fakes/oauth-server.js";

const ctx: ToolContext = {
  workspace: tmpdir(),
  restrictToWorkspace: true,
  signal: new AbortController().signal,
  sessionKey: "t",
};

function http(
  url: string,
  auth?: McpServerConfig["auth"],
  headers: Record<string, string> = {},
): McpServerConfig {
  return { type: "http", url, headers, enabled: true, timeoutS: 10, ...(auth ? { auth } : {}) };
}

async function login(fake: FakeOAuthServer, paths: Paths, alias: string): Promise<void> {
  await mcpLogin({
    alias,
    serverUrl: fake.mcpUrl,
    paths,
    openBrowser: true,
    redirectPort: 0,
    print: () => {},
    openUrl: async (url) => {
      void followAuthorization(url);
    },
  });
}

async function expireStoredToken(paths: Paths, alias: string): Promise<void> {
  const file = await readMcpTokenFile(paths, alias);
  if (!file) throw new Error("no token file");
  await writeMcpTokenFile(paths, alias, { ...file, expiresAt: new Date(Date.now() - 1000).toISOString() });
}

describe("MCP OAuth tokens: refresh, rotation and use by the pool", () => {
  let fake: FakeOAuthServer;
  let home: string;
  let paths: Paths;

  beforeEach(async () => {
    fake = await startFakeOAuthServer();
    home = await mkdtemp(join(tmpdir(), "kavilo-mcp-refresh-"));
    paths = makePaths(home);
    await login(fake, paths, "fake");
  });

  afterEach(async () => {
    await fake.close();
    await rm(home, { recursive: true, force: true });
  });

  it("refreshes an expired token and saves the rotated refresh token", async () => {
    const before = await readMcpTokenFile(paths, "fake");
    expect((await authStatus("fake", paths)).state).toBe("valid");
    await expireStoredToken(paths, "fake");
    expect((await authStatus("fake", paths)).state).toBe("expired");

    const token = await getValidAccessToken("fake", paths);
    const after = await readMcpTokenFile(paths, "fake");
    expect(token).toMatch(/^at-/);
    expect(token).not.toBe(before?.tokens.access_token);
    expect(after?.tokens.access_token).toBe(token);
    expect(after?.tokens.refresh_token).not.toBe(before?.tokens.refresh_token);
    expect(fake.isRefreshTokenValid(before?.tokens.refresh_token ?? "")).toBe(false);
    expect(fake.isRefreshTokenValid(after?.tokens.refresh_token ?? "")).toBe(true);
    expect(fake.stats.refreshes).toBe(1);
    expect(await authStatus("fake", paths)).toEqual({ state: "valid", expiresAt: after?.expiresAt });
  });

  it("refreshes within a minute of expiry but not before", async () => {
    const file = await readMcpTokenFile(paths, "fake");
    if (!file) throw new Error("no token file");
    await writeMcpTokenFile(paths, "fake", {
      ...file,
      expiresAt: new Date(Date.now() + 120_000).toISOString(),
    });
    expect(await getValidAccessToken("fake", paths)).toBe(file.tokens.access_token);
    expect(fake.stats.refreshes).toBe(0);
    await writeMcpTokenFile(paths, "fake", {
      ...file,
      expiresAt: new Date(Date.now() + 30_000).toISOString(),
    });
    expect(await getValidAccessToken("fake", paths)).not.toBe(file.tokens.access_token);
    expect(fake.stats.refreshes).toBe(1);
  });

  it("refreshes once when several callers find the token expired together", async () => {
    await expireStoredToken(paths, "fake");
    const tokens = await Promise.all([1, 2, 3, 4].map(() => getValidAccessToken("fake", paths)));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.stats.refreshes).toBe(1);
  });

  it("connects the pool with the stored token, refreshing it first when expired", async () => {
    await expireStoredToken(paths, "fake");
    const pool = createMcpPool({ paths, servers: { fake: http(fake.mcpUrl, { provider: "oauth" }) } });
    try {
      await pool.connect();
      expect(pool.status()[0]).toMatchObject({ state: "connected", transport: "http", toolCount: 1 });
      expect(fake.stats.refreshes).toBe(1);
      const file = await readMcpTokenFile(paths, "fake");
      const result = await pool.tools()[0]?.run({}, ctx);
      expect(result).toEqual({
        content: [{ type: "text", text: `client ${file?.clientInformation.client_id}` }],
      });
    } finally {
      await pool.close();
    }
  });

  it("recovers from a 401 on a revoked access token with one forced refresh", async () => {
    const pool = createMcpPool({ paths, servers: { fake: http(fake.mcpUrl) } });
    try {
      await pool.connect();
      fake.revokeAccessToken((await readMcpTokenFile(paths, "fake"))?.tokens.access_token ?? "");
      const result = await pool.tools()[0]?.run({}, ctx);
      expect(result).toMatchObject({ content: [{ type: "text", text: expect.stringMatching(/^client /) }] });
      expect(fake.stats.refreshes).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("answers MCP_AUTH_REQUIRED when there is no token, or it is dead and cannot be refreshed", async () => {
    const logs: string[] = [];
    const pool = createMcpPool({
      paths,
      log: (l) => logs.push(l),
      servers: {
        nologin: http(fake.mcpUrl, { provider: "oauth" }),
        fake: http(fake.mcpUrl, { provider: "oauth" }),
      },
    });
    try {
      await pool.connect();
      const [nologin, ok] = pool.status();
      expect(nologin).toMatchObject({
        state: "failed",
        error: "MCP_AUTH_REQUIRED:server=nologin; run kavilo mcp login --server nologin",
      });
      expect(ok?.state).toBe("connected");
      expect(logs.some((l) => l.includes("MCP_AUTH_REQUIRED:server=nologin"))).toBe(true);

      const file = await readMcpTokenFile(paths, "fake");
      if (!file) throw new Error("no token file");
      fake.revokeAccessToken(file.tokens.access_token);
      const { refresh_token: _dropped, ...noRefresh } = file.tokens;
      await writeMcpTokenFile(paths, "fake", { ...file, tokens: noRefresh });
      // the server without a login stands in as one tool that gives the model the line
      const stand = pool.tools().find((t) => t.name === "mcp_nologin_login_required");
      expect(stand?.description).toContain("needs a login before its tools are available");
      expect(await stand?.run({}, ctx)).toEqual({
        content: "MCP_AUTH_REQUIRED:server=nologin; run kavilo mcp login --server nologin",
        isError: true,
      });
      const result = await pool
        .tools()
        .find((t) => t.name.startsWith("mcp_fake_"))
        ?.run({}, ctx);
      expect(result).toEqual({
        content: "MCP_AUTH_REQUIRED:server=fake; run kavilo mcp login --server fake",
        isError: true,
      });
    } finally {
      await pool.close();
    }
  });

  it("reads a bearer token file on every request", async () => {
    const tokenFile = join(home, "bearer.txt");
    const first = fake.mintAccessToken("bearer-one");
    await writeFile(tokenFile, `${first}\n`);
    const pool = createMcpPool({
      paths,
      servers: { plain: http(fake.mcpUrl, { provider: "bearer", tokenFile: "bearer.txt" }) },
    });
    try {
      await pool.connect();
      expect(pool.status()[0]?.state).toBe("connected");
      fake.revokeAccessToken(first);
      await writeFile(tokenFile, fake.mintAccessToken("bearer-two"));
      expect(await pool.tools()[0]?.run({}, ctx)).toEqual({
        content: [{ type: "text", text: "client bearer-two" }],
      });
      await writeFile(tokenFile, "");
      // a bearer server is not fixed by `mcp login`: the line names its token file instead
      expect(await pool.tools()[0]?.run({}, ctx)).toEqual({
        content: `MCP_AUTH_REQUIRED:server=plain; the token file ${tokenFile} is missing or was rejected`,
        isError: true,
      });
    } finally {
      await pool.close();
    }
  });

  it("reads access_token of a Slack MCP alias file", async () => {
    await mkdir(join(paths.mcpAuth, "slack"), { recursive: true });
    await writeFile(
      join(paths.mcpAuth, "slack", "work.json"),
      JSON.stringify({ access_token: fake.mintAccessToken("slack-work"), team_id: "T1" }),
    );
    const pool = createMcpPool({ paths, servers: { work: http(fake.mcpUrl, { provider: "slack" }) } });
    try {
      await pool.connect();
      expect(await pool.tools()[0]?.run({}, ctx)).toEqual({
        content: [{ type: "text", text: "client slack-work" }],
      });
    } finally {
      await pool.close();
    }
  });

  it("words the auth-required line by how the server gets its credentials", async () => {
    const pool = createMcpPool({
      paths,
      servers: {
        bear: http(fake.mcpUrl, { provider: "bearer", tokenFile: "missing-token.txt" }),
        team: http(fake.mcpUrl, { provider: "slack" }),
        hdr: http(fake.mcpUrl, undefined, { authorization: "Bearer not-a-real-token" }),
      },
    });
    try {
      await pool.connect();
      const errors = Object.fromEntries(pool.status().map((s) => [s.alias, s.error]));
      expect(errors).toEqual({
        bear: `MCP_AUTH_REQUIRED:server=bear; the token file ${join(home, "missing-token.txt")} is missing or was rejected`,
        team: "MCP_AUTH_REQUIRED:server=team; reason=invalid_token; run kavilo mcp slack login team --force",
        hdr: "MCP_AUTH_REQUIRED:server=hdr; the server rejected the configured headers",
      });
      expect(pool.tools().map((t) => t.name)).toEqual([
        "mcp_bear_login_required",
        "mcp_team_login_required",
        "mcp_hdr_login_required",
      ]);
    } finally {
      await pool.close();
    }
  });
});
