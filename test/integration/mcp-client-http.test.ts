import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePaths } from "../../src/core/base/paths.js";
import type { McpServerConfig } from "../../src/core/config/schema.js";
import type { ToolContext } from "../../src/core/tools/types.js";
import { createMcpPool, type McpPool } from "../../src/mcp/client/pool.js";

const require = createRequire(import.meta.url);
const everythingBin = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");

// server-everything has no "port 0" mode that reports the bound port, so pick a free one.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function startEverythingHttp(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [everythingBin, "streamableHttp"], {
      env: { PATH: process.env.PATH ?? "", PORT: String(port) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    const timer = setTimeout(() => reject(new Error(`server-everything did not start: ${err}`)), 10_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes("listening on port")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`server-everything exited ${code}: ${err}`)));
  });
}

const ctx: ToolContext = {
  workspace: tmpdir(),
  restrictToWorkspace: true,
  signal: new AbortController().signal,
  sessionKey: "t",
};

describe("MCP client over streamable HTTP against server-everything", () => {
  let child: ChildProcess;
  let home: string;
  let pool: McpPool;
  const logs: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    child = await startEverythingHttp(port);
    home = await mkdtemp(join(tmpdir(), "kavilo-mcp-http-"));
    const http: McpServerConfig = {
      type: "http",
      url: `http://127.0.0.1:${port}/mcp`,
      headers: {},
      enabled: true,
      timeoutS: 15,
      enabledTools: ["echo", "get-tiny-image"],
    };
    const stdio = {
      command: process.execPath,
      args: [everythingBin, "stdio"],
      env: {},
      enabled: true,
      timeoutS: 15,
      enabledTools: ["echo", "get-sum"],
    } as McpServerConfig;
    // "ev_h" and "ev.h" sanitize to the same prefix: the later one's echo must be skipped.
    pool = createMcpPool({
      paths: makePaths(home),
      log: (l) => logs.push(l),
      servers: { ev_h: http, "ev.h": stdio },
    });
    await pool.connect();
  });

  afterAll(async () => {
    await pool?.close();
    child?.kill();
    await rm(home, { recursive: true, force: true });
  });

  it("connects over HTTP and filters with enabledTools", () => {
    const status = pool.status().find((s) => s.alias === "ev_h");
    expect(status).toMatchObject({ transport: "http", state: "connected", toolCount: 2 });
    expect(pool.tools().map((t) => t.name)).toEqual([
      "mcp_ev_h_echo",
      "mcp_ev_h_get-tiny-image",
      "mcp_ev_h_get-sum",
    ]);
  });

  it("reports a name collision and keeps the first owner", async () => {
    expect(logs.some((l) => l.includes('"echo" of server "ev.h"') && l.includes("mcp_ev_h_echo"))).toBe(true);
    expect(pool.status().find((s) => s.alias === "ev.h")).toMatchObject({ state: "connected", toolCount: 1 });
    const echo = pool.tools().find((t) => t.name === "mcp_ev_h_echo");
    expect((echo as unknown as { server: string }).server).toBe("ev_h");
    expect(await echo?.run({ message: "over http" }, ctx)).toEqual({
      content: [{ type: "text", text: "Echo: over http" }],
    });
  });

  it("maps an HTTP image result to an image part", async () => {
    const result = await pool
      .tools()
      .find((t) => t.name === "mcp_ev_h_get-tiny-image")
      ?.run({}, ctx);
    const parts = typeof result === "object" && Array.isArray(result.content) ? result.content : [];
    expect(parts.some((p) => p.type === "image" && p.mediaType === "image/png" && p.data.length > 100)).toBe(
      true,
    );
  });
});
