import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mcpLogin } from "../../src/auth/mcp/oauth-login.js";
import { readMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import type { Interaction } from "../../src/core/agent/interaction.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import { kaviloVersion } from "../../src/core/base/version.js";
import type { McpServerConfig } from "../../src/core/config/schema.js";
import type { ToolContext, ToolResult } from "../../src/core/tools/types.js";
import { createMcpPool, type McpPool } from "../../src/mcp/client/pool.js";
import {
  type McpAuthServer,
  type McpAuthServerOptions,
  startMcpAuthServer,
} from "../fakes/mcp-auth-server.js";
import { followAuthorization } from "../fakes/oauth-server.js";

let fake: McpAuthServer;
let home: string;
let paths: Paths;
let pool: McpPool | undefined;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "kavilo-mcp-auth-"));
  paths = makePaths(home);
});

afterEach(async () => {
  await pool?.close();
  pool = undefined;
  await fake?.close();
  await rm(home, { recursive: true, force: true });
});

/** `kavilo mcp login`, with the test playing the browser. */
async function login(alias = "srv"): Promise<void> {
  await mcpLogin({
    alias,
    serverUrl: fake.mcpUrl,
    paths,
    openBrowser: false,
    redirectPort: 0,
    print: (line) => {
      if (line.startsWith("http") && line.includes("authorize")) void followAuthorization(line);
    },
  });
}

function server(): McpServerConfig {
  return { type: "http", url: fake.mcpUrl, enabled: true, timeoutS: 10 } as McpServerConfig;
}

function ctx(interaction?: Interaction): ToolContext {
  return {
    workspace: home,
    restrictToWorkspace: true,
    signal: AbortSignal.timeout(10_000),
    sessionKey: "cli:test",
    ...(interaction ? { interaction } : {}),
  };
}

async function callTool(
  name: string,
  interaction?: Interaction,
  stepUp?: () => Promise<boolean>,
): Promise<string> {
  pool ??= createMcpPool({ servers: { srv: server() }, paths, ...(stepUp ? { stepUp } : {}) });
  await pool.connect();
  const tool = pool.tools().find((t) => t.name === `mcp_srv_${name}`);
  if (!tool) throw new Error(`no tool ${name}: ${JSON.stringify(pool.status())}`);
  const result = (await tool.run({}, ctx(interaction))) as ToolResult;
  const parts =
    typeof result.content === "string" ? [{ type: "text", text: result.content }] : result.content;
  return parts.map((p) => (p.type === "text" ? p.text : "")).join("\n");
}

const VARIANTS: Array<[string, McpAuthServerOptions]> = [
  [
    "path-suffixed resource metadata, RFC 8414 at the root, GET 405",
    { prm: "path", asMetadata: "root", getStatus: 405 },
  ],
  [
    "root resource metadata, path-suffixed issuer, GET 404",
    { prm: "root", asMetadata: "path", getStatus: 404 },
  ],
  [
    "metadata not named in the challenge (well-known probing), OIDC discovery",
    { prmInHeader: false, asMetadata: "oidc" },
  ],
  [
    "2025-03-26: no metadata at all, default endpoints at the root, GET 404",
    { prm: "none", asMetadata: "none", getStatus: 404 },
  ],
  ["initialize open, the challenge only on tools/list", { openInitialize: true, getStatus: 404 }],
];

describe("mcp login discovers from the challenge of the real POST", () => {
  it.each(VARIANTS)("%s: login completes and the tool call succeeds", async (_name, opts) => {
    fake = await startMcpAuthServer(opts);
    await login();
    expect(fake.stats.codeExchanges).toBe(1);
    expect(await callTool("whoami")).toMatch(/^scopes: /);
    expect(fake.stats.toolCalls).toBe(1);
  });

  it("without a scope in the challenge: all of scopes_supported, else no scope at all", async () => {
    fake = await startMcpAuthServer({ scopesSupported: ["a", "b"] });
    await login();
    const supported = fake.stats.authorizationScopes;
    await fake.close();
    fake = await startMcpAuthServer({});
    await login("other");
    expect([supported, fake.stats.authorizationScopes]).toEqual([["a b"], [""]]);
  });

  it("uses the challenge scope of the header over scopes_supported", async () => {
    fake = await startMcpAuthServer({ challengeScope: "files:read", scopesSupported: ["a", "b"] });
    await login();
    expect(fake.stats.authorizationScopes).toEqual(["files:read"]);
    expect((await readMcpTokenFile(paths, "srv"))?.tokens.scope).toBe("files:read");
  });

  it("names itself kavilo with the package version", async () => {
    fake = await startMcpAuthServer({});
    await login();
    await callTool("whoami");
    expect(fake.stats.clientInfos.at(-1)).toEqual({ name: "kavilo", version: kaviloVersion() });
    expect(kaviloVersion()).not.toBe("1");
  });
});

describe("step-up on 403 insufficient_scope", () => {
  const stepUpServer: McpAuthServerOptions = { challengeScope: "basic", toolScopes: ["basic", "write"] };

  it("without a terminal: the result says to log in; the next login asks for the union", async () => {
    fake = await startMcpAuthServer(stepUpServer);
    await login();
    const first = await callTool("whoami");
    expect(first).toBe(
      'MCP_AUTH_REQUIRED:server=srv; the login lacks access this call needs (scope "basic write"); run kavilo mcp login --server srv to grant it',
    );
    expect(fake.stats.insufficientScope).toBe(1);
    expect((await readMcpTokenFile(paths, "srv"))?.requiredScope).toBe("basic write");
    await login();
    expect(fake.stats.authorizationScopes).toEqual(["basic", "basic write"]);
    expect((await readMcpTokenFile(paths, "srv"))?.requiredScope).toBeUndefined();
    expect(await callTool("whoami")).toBe("scopes: basic write");
  });

  it("interactive: authorizes again once and retries the same call", async () => {
    fake = await startMcpAuthServer(stepUpServer);
    await login();
    let asked = 0;
    const text = await callTool("whoami", undefined, async () => {
      asked++;
      await login();
      return true;
    });
    expect(text).toBe("scopes: basic write");
    expect(asked).toBe(1);
    expect(fake.stats.authorizationScopes).toEqual(["basic", "basic write"]);
  });

  it("never more than one step-up per call, even when the new token is refused too", async () => {
    fake = await startMcpAuthServer({ challengeScope: "basic", toolScopes: ["admin"] });
    await login();
    let asked = 0;
    // The "login" here does not get the scope: the server keeps refusing.
    const text = await callTool("whoami", undefined, async () => {
      asked++;
      return true;
    });
    expect(asked).toBe(1);
    expect(fake.stats.insufficientScope).toBe(2);
    expect(text).toContain("run kavilo mcp login --server srv");
  });
});

describe("elicitation", () => {
  it("routes the server's form to the turn's Interaction; defaults fill what the user left", async () => {
    fake = await startMcpAuthServer({});
    await login();
    const asked: unknown[] = [];
    const text = await callTool("configure", {
      async elicit(req) {
        asked.push(req);
        return { action: "accept", content: { title: "Monthly" } };
      },
    });
    expect(asked).toMatchObject([{ server: "srv", message: "Settings for the report" }]);
    expect(text).toContain(
      'elicitation accept: {"title":"Monthly","copies":2,"format":"html","urgent":false}',
    );
    expect(text).toContain('[MCP server "srv" asked the user: "Settings for the report" — accepted (title)]');
  });

  it("declines when nobody can be asked, and says so in the tool result", async () => {
    fake = await startMcpAuthServer({});
    await login();
    const text = await callTool("configure");
    expect(text).toContain("elicitation decline: {}");
    expect(text).toContain("declined: nobody can answer in this run");
  });

  it("tells the model when the user declined or cancelled", async () => {
    fake = await startMcpAuthServer({});
    await login();
    const text = await callTool("configure", { elicit: async () => ({ action: "cancel" }) });
    expect(text).toContain("elicitation cancel: {}");
    expect(text).toContain('asked the user: "Settings for the report" — cancelled]');
  });
});
