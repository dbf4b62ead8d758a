import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mcpLogin, mcpLoginFinish, mcpLoginStart } from "../../src/auth/mcp/oauth-login.js";
import {
  mcpPendingPath,
  mcpTokenPath,
  readMcpTokenFile,
  writeMcpTokenFile,
} from "../../src/auth/mcp/token-file.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import { startMcpWeb } from "../fakes/mcp-web.js";
import {
  approveAuthorization,
  type FakeOAuthServer,
  followAuthorization,
  startFakeOAuthServer,
} from "../fakes/oauth-server.js";

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe("generic MCP OAuth login", () => {
  let fake: FakeOAuthServer;
  let home: string;
  let paths: Paths;

  beforeEach(async () => {
    fake = await startFakeOAuthServer({
      preRegistered: { client_id: "pre-client", client_secret: "pre-secret" },
    });
    home = await mkdtemp(join(tmpdir(), "kavilo-mcp-oauth-"));
    paths = makePaths(home);
  });

  afterEach(async () => {
    await fake.close();
    await rm(home, { recursive: true, force: true });
  });

  it("discovers, registers, runs PKCE through the loopback redirect and stores the tokens 0600", async () => {
    const lines: string[] = [];
    let seen: (url: string) => void = () => {};
    const printedUrl = new Promise<string>((resolve) => {
      seen = resolve;
    });
    const started = Date.now();
    const login = mcpLogin({
      alias: "fake",
      serverUrl: fake.mcpUrl,
      paths,
      openBrowser: false,
      redirectPort: 0,
      openUrl: async () => {
        throw new Error("the browser must not be opened with openBrowser false");
      },
      print: (line) => {
        lines.push(line);
        if (line.startsWith(`${fake.url}/authorize?`)) seen(line);
      },
    });
    const authorizationUrl = new URL(await printedUrl);
    const q = authorizationUrl.searchParams;
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("resource")).toBe(fake.mcpUrl);
    expect(q.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    expect(q.get("state")?.length).toBeGreaterThanOrEqual(20);

    const { page } = await followAuthorization(authorizationUrl.href);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("logged in");
    await login;

    expect(fake.stats).toMatchObject({ registrations: 1, authorizations: 1, codeExchanges: 1 });
    const path = mcpTokenPath(paths, "fake");
    expect(await modeOf(path)).toBe(0o600);
    const file = await readMcpTokenFile(paths, "fake");
    expect(file).toMatchObject({
      serverUrl: fake.mcpUrl,
      clientInformation: { client_id: expect.stringMatching(/^client-/) },
      tokens: {
        access_token: expect.stringMatching(/^at-/),
        refresh_token: expect.stringMatching(/^rt-/),
        token_type: "Bearer",
        scope: "mcp",
      },
    });
    const expiresIn = Date.parse(file?.expiresAt ?? "") - started;
    expect(expiresIn).toBeGreaterThan(3_590_000);
    expect(expiresIn).toBeLessThan(3_610_000);
    expect(Number.isNaN(Date.parse(file?.savedAt ?? ""))).toBe(false);
    await expect(stat(mcpPendingPath(paths, "fake"))).rejects.toThrow(/ENOENT/);
    expect(lines.some((l) => l.startsWith("Logged in to fake"))).toBe(true);
    expect(lines.join("\n")).not.toContain(file?.tokens.access_token ?? "???");
  });

  it("uses a given client id and secret without registering, and opens the URL when asked", async () => {
    const opened: string[] = [];
    await mcpLogin({
      alias: "pre",
      serverUrl: fake.mcpUrl,
      paths,
      clientId: "pre-client",
      clientSecret: "pre-secret",
      openBrowser: true,
      redirectPort: 0,
      print: () => {},
      openUrl: async (url) => {
        opened.push(url);
        void followAuthorization(url);
      },
    });
    expect(opened).toHaveLength(1);
    expect(new URL(opened[0] ?? "").searchParams.get("client_id")).toBe("pre-client");
    expect(fake.stats).toMatchObject({ registrations: 0, codeExchanges: 1 });
    const file = await readMcpTokenFile(paths, "pre");
    expect(file?.clientInformation).toMatchObject({ client_id: "pre-client", client_secret: "pre-secret" });
  });

  it("splits into start and finish for editors, keeping the pending PKCE state in a 0600 file", async () => {
    const { authorizationUrl, state } = await mcpLoginStart({ alias: "ed", serverUrl: fake.mcpUrl, paths });
    expect(new URL(authorizationUrl).searchParams.get("redirect_uri")).toBe(
      "http://127.0.0.1:7898/oauth/callback",
    );
    expect(new URL(authorizationUrl).searchParams.get("state")).toBe(state);
    expect(await modeOf(mcpPendingPath(paths, "ed"))).toBe(0o600);

    const callbackUrl = await approveAuthorization(authorizationUrl);
    await mcpLoginFinish({ alias: "ed", paths, callbackUrl });
    expect((await readMcpTokenFile(paths, "ed"))?.tokens.access_token).toMatch(/^at-/);
    await expect(stat(mcpPendingPath(paths, "ed"))).rejects.toThrow(/ENOENT/);
    expect(fake.stats.codeExchanges).toBe(1);
  });

  it("refuses a callback whose state does not match", async () => {
    const { authorizationUrl } = await mcpLoginStart({ alias: "ed", serverUrl: fake.mcpUrl, paths });
    const code = new URL(await approveAuthorization(authorizationUrl)).searchParams.get("code") ?? "";
    await expect(mcpLoginFinish({ alias: "ed", paths, code, state: "forged" })).rejects.toThrow(
      /state mismatch/,
    );
    expect(fake.stats.codeExchanges).toBe(0);
    expect(await readMcpTokenFile(paths, "ed")).toBeUndefined();
  });

  it("reports a refused authorization in one line", async () => {
    const { state } = await mcpLoginStart({ alias: "ed", serverUrl: fake.mcpUrl, paths });
    const callbackUrl = `http://127.0.0.1:7898/oauth/callback?error=access_denied&state=${state}`;
    await expect(mcpLoginFinish({ alias: "ed", paths, callbackUrl })).rejects.toThrow(
      "ed: authorization refused: access_denied",
    );
  });

  it("finds the resource metadata through WWW-Authenticate when it is not at the well-known path", async () => {
    const hidden = await startFakeOAuthServer({ resourceMetadataPath: "/meta/prm-for-mcp" });
    try {
      expect((await fetch(`${hidden.url}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404);
      const { authorizationUrl } = await mcpLoginStart({ alias: "hid", serverUrl: hidden.mcpUrl, paths });
      expect(new URL(authorizationUrl).searchParams.get("resource")).toBe(hidden.mcpUrl);
      expect(new URL(authorizationUrl).searchParams.get("scope")).toBe("mcp");
      await mcpLoginFinish({
        alias: "hid",
        paths,
        callbackUrl: await approveAuthorization(authorizationUrl),
      });
      expect((await readMcpTokenFile(paths, "hid"))?.discovery?.resourceMetadataUrl).toBe(
        `${hidden.url}/meta/prm-for-mcp`,
      );
    } finally {
      await hidden.close();
    }
  });

  it("keeps mcp-auth/ and mcp-auth/pending/ private (0700)", async () => {
    await mcpLoginStart({ alias: "ed", serverUrl: fake.mcpUrl, paths });
    expect(await modeOf(paths.mcpAuth)).toBe(0o700);
    expect(await modeOf(join(paths.mcpAuth, "pending"))).toBe(0o700);
  });

  it("a second login reuses the client the first one registered, for the same authorization server", async () => {
    for (let round = 0; round < 2; round++) {
      const { authorizationUrl } = await mcpLoginStart({ alias: "again", serverUrl: fake.mcpUrl, paths });
      await mcpLoginFinish({
        alias: "again",
        paths,
        callbackUrl: await approveAuthorization(authorizationUrl),
      });
    }
    expect(fake.stats.registrations).toBe(1);
    expect(fake.stats.codeExchanges).toBe(2);

    // a login file from another authorization server is not reused
    const file = await readMcpTokenFile(paths, "again");
    if (!file?.discovery) throw new Error("no discovery stored");
    await writeMcpTokenFile(paths, "again", {
      ...file,
      discovery: { ...file.discovery, authorizationServerUrl: "http://127.0.0.1:9/elsewhere" },
    });
    const { authorizationUrl } = await mcpLoginStart({ alias: "again", serverUrl: fake.mcpUrl, paths });
    await mcpLoginFinish({
      alias: "again",
      paths,
      callbackUrl: await approveAuthorization(authorizationUrl),
    });
    expect(fake.stats.registrations).toBe(2);
  });

  it("says a server that does not ask for OAuth needs no login", async () => {
    const web = await startMcpWeb();
    try {
      await expect(mcpLoginStart({ alias: "open", serverUrl: `${web.url}/mcp`, paths })).rejects.toThrow(
        /^open does not ask for OAuth; no login is needed$/,
      );
    } finally {
      await web.close();
    }
  });
});
