import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mcpLoginFinish, mcpLoginStart } from "../../src/auth/mcp/oauth-login.js";
import { makePaths } from "../../src/core/base/paths.js";
import type { McpServerConfig } from "../../src/core/config/schema.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import type { ToolContext } from "../../src/core/tools/types.js";
import { createMcpPool, RETRY_MAX_MS, RETRY_MIN_MS } from "../../src/mcp/client/pool.js";
import { createRegistrySync } from "../../src/mcp/client/registry-sync.js";
import { approveAuthorization, startFakeOAuthServer } from "../fakes/oauth-server.js";

const script = fileURLToPath(new URL("../fakes/flaky-stdio-server.mjs", import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kavilo-mcp-reconnect-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = (): ToolContext => ({
  workspace: dir,
  restrictToWorkspace: true,
  signal: new AbortController().signal,
  sessionKey: "t",
});

function flaky(flag: string, extraEnv: Record<string, string> = {}): McpServerConfig {
  return {
    command: process.execPath,
    args: [script],
    env: { FLAKY_FLAG: flag, ...extraEnv },
    enabled: true,
    timeoutS: 10,
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("MCP pool: failed and crashed servers are retried with backoff", () => {
  it("a server down at start is retried after 30 s, and one that crashed comes back", async () => {
    const flag = join(dir, "flag");
    await writeFile(flag, "down");
    let now = 1_000_000;
    const logs: string[] = [];
    const pool = createMcpPool({
      paths: makePaths(dir),
      servers: { fl: flaky(flag) },
      log: (l) => logs.push(l),
      now: () => now,
    });
    const registry = new ToolRegistry();
    const sync = createRegistrySync(registry, (l) => logs.push(l));
    const turn = async () => {
      await pool.connect();
      sync(pool.tools());
    };
    try {
      await turn();
      expect(pool.status()[0]?.state).toBe("failed");
      expect(registry.list()).toHaveLength(0);

      await writeFile(flag, "up");
      now += RETRY_MIN_MS - 1;
      await turn();
      expect(pool.status()[0]?.state).toBe("failed"); // too early: no attempt

      now += 1;
      await turn();
      expect(pool.status()[0]).toMatchObject({ state: "connected", toolCount: 2 });
      const first = await registry.execute({ id: "1", name: "mcp_fl_ping", args: {} }, ctx());
      expect(first).toMatchObject({ isError: false, content: [{ type: "text", text: /^pong \d+$/ }] });

      await registry.execute({ id: "2", name: "mcp_fl_crash", args: {} }, ctx());
      await until(() => pool.status()[0]?.state === "failed");
      expect(pool.status()[0]?.error).toBe("connection closed");
      expect(logs.filter((l) => l.includes("closed its connection"))).toHaveLength(1);

      now += RETRY_MIN_MS;
      await turn();
      expect(pool.status()[0]?.state).toBe("connected");
      const again = await registry.execute({ id: "3", name: "mcp_fl_ping", args: {} }, ctx());
      expect(again.isError).toBe(false);
      expect(JSON.stringify(again.content)).not.toBe(JSON.stringify(first.content)); // a new process
    } finally {
      await pool.close();
    }
  }, 20_000);

  it("doubles the wait after each failed retry, up to 5 minutes, and warns once per reason", async () => {
    const flag = join(dir, "flag");
    const starts = join(dir, "starts");
    await writeFile(flag, "down");
    await writeFile(starts, "");
    let now = 0;
    const logs: string[] = [];
    const pool = createMcpPool({
      paths: makePaths(dir),
      servers: { fl: flaky(flag, { FLAKY_LOG: starts }) },
      log: (l) => logs.push(l),
      now: () => now,
    });
    const attempts: number[] = [];
    let seen = 0;
    try {
      for (; now <= 600_000; now += 15_000) {
        await pool.connect();
        const count = (await readFile(starts, "utf8")).split("\n").filter(Boolean).length;
        if (count > seen) attempts.push(now);
        seen = count;
      }
    } finally {
      await pool.close();
    }
    expect(attempts).toEqual([0, 30_000, 90_000, 210_000, 450_000]);
    expect(RETRY_MAX_MS).toBe(300_000);
    expect(logs.filter((l) => l.includes('server "fl" failed'))).toHaveLength(1);
  }, 30_000);

  it("a login done while the process runs replaces the login stand-in with the server's tools", async () => {
    const oauth = await startFakeOAuthServer();
    const paths = makePaths(dir);
    let now = 0;
    const pool = createMcpPool({
      paths,
      servers: { remote: { type: "http", url: oauth.mcpUrl, headers: {}, enabled: true, timeoutS: 10 } },
      now: () => now,
    });
    const registry = new ToolRegistry();
    const sync = createRegistrySync(registry, () => {});
    try {
      await pool.connect();
      sync(pool.tools());
      expect(registry.list().map((t) => t.name)).toEqual(["mcp_remote_login_required"]);

      const { authorizationUrl } = await mcpLoginStart({ alias: "remote", serverUrl: oauth.mcpUrl, paths });
      await mcpLoginFinish({
        alias: "remote",
        paths,
        callbackUrl: await approveAuthorization(authorizationUrl),
      });
      now += RETRY_MIN_MS;
      await pool.connect();
      sync(pool.tools());
      const names = registry.list().map((t) => t.name);
      expect(names).not.toContain("mcp_remote_login_required");
      expect(names.length).toBeGreaterThan(0);
      const call = await registry.execute({ id: "1", name: names[0]!, args: {} }, ctx());
      expect(call.isError).toBe(false);
    } finally {
      await pool.close();
      await oauth.close();
    }
  });
});
