import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePaths } from "../../src/core/base/paths.js";
import type { McpServerConfig } from "../../src/core/config/schema.js";
import type { Tool, ToolContext, ToolResult } from "../../src/core/tools/types.js";
import { createMcpPool, type McpPool } from "../../src/mcp/client/pool.js";

const require = createRequire(import.meta.url);
const everythingBin = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");
const filesystemBin = require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js");

function stdio(args: string[], extra: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    command: process.execPath,
    args,
    env: {},
    enabled: true,
    timeoutS: 15,
    ...extra,
  } as McpServerConfig;
}

function ctx(): ToolContext {
  return {
    workspace: tmpdir(),
    restrictToWorkspace: true,
    signal: new AbortController().signal,
    sessionKey: "t",
  };
}

async function call(tool: Tool | undefined, args: Record<string, unknown>): Promise<ToolResult> {
  if (!tool) throw new Error("tool missing");
  const result = await tool.run(args, ctx());
  if (typeof result === "string") throw new Error(`expected a ToolResult, got ${result}`);
  return result;
}

function texts(result: ToolResult): string {
  if (typeof result.content === "string") return result.content;
  return result.content.map((p) => (p.type === "text" ? p.text : `<${p.type}>`)).join("\n");
}

describe("MCP client over stdio against real servers", () => {
  let home: string;
  let dataDir: string;
  let pool: McpPool;
  const logs: string[] = [];

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "kavilo-mcp-stdio-"));
    dataDir = await mkdtemp(join(tmpdir(), "kavilo-mcp-fs-"));
    await writeFile(join(dataDir, "note.txt"), "hello from the filesystem server\n");
    pool = createMcpPool({
      paths: makePaths(home),
      log: (line) => logs.push(line),
      env: { ...process.env, OPENAI_API_KEY: "sk-should-not-leak", LC_ALL: "C.UTF-8" },
      servers: {
        everything: stdio([everythingBin, "stdio"], {
          description: "  Demo server  ",
          env: { KAVILO_CONFIGURED: "yes" },
        }),
        files: stdio([filesystemBin, dataDir], {
          description: "   ",
          enabledTools: ["read_text_file", "list_directory"],
        }),
        dead: stdio(["-e", "console.error('boom: no config here'); process.exit(3)"]),
        missing: { ...stdio([]), command: join(home, "no-such-binary") } as McpServerConfig,
        off: stdio([everythingBin, "stdio"], { enabled: false }),
        hang: stdio(["-e", "setInterval(() => {}, 1000)"], { timeoutS: 0.5 }),
      },
    });
    await pool.connect();
  });

  afterAll(async () => {
    await pool.close();
    await rm(home, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it("reports each server's state; failures have a reason and leave the others working", () => {
    const byAlias = Object.fromEntries(pool.status().map((s) => [s.alias, s]));
    expect(byAlias.everything).toMatchObject({ state: "connected", transport: "stdio" });
    expect(byAlias.everything?.toolCount).toBeGreaterThan(5);
    expect(byAlias.files).toMatchObject({ state: "connected", toolCount: 2 });
    expect(byAlias.dead?.state).toBe("failed");
    expect(byAlias.dead?.error).toMatch(/closed/i);
    expect(byAlias.dead?.error).toContain("boom: no config here");
    expect(byAlias.missing).toMatchObject({
      state: "failed",
      error: `command not found: ${join(home, "no-such-binary")}`,
    });
    expect(byAlias.off).toMatchObject({ state: "disabled", toolCount: 0 });
    expect(byAlias.hang).toMatchObject({ state: "failed", error: "connect timed out after 0.5 s" });
    expect(logs.filter((l) => l.startsWith('mcp: server "dead" failed'))).toHaveLength(1);
    // The child's stderr became log lines (never stdout).
    expect(logs).toContain("mcp dead: boom: no config here");
  });

  it("is idempotent", async () => {
    const before = pool.tools().length;
    await pool.connect();
    expect(pool.tools()).toHaveLength(before);
  });

  it("names tools mcp_<alias>_<tool>, prefixes the server description and keeps the JSON schema", () => {
    const names = pool.tools().map((t) => t.name);
    expect(names).toContain("mcp_everything_echo");
    expect(names).toContain("mcp_everything_get-tiny-image");
    expect(names.filter((n) => n.startsWith("mcp_files_")).sort()).toEqual([
      "mcp_files_list_directory",
      "mcp_files_read_text_file",
    ]);
    const echo = pool.tools().find((t) => t.name === "mcp_everything_echo") as Tool & {
      inputSchema: { properties?: Record<string, unknown> };
    };
    expect(echo.description.startsWith("[server: Demo server]\n")).toBe(true);
    expect(echo.description.length).toBeGreaterThan("[server: Demo server]\n".length);
    expect(echo.inputSchema.properties).toHaveProperty("message");
    expect(echo.parameters.safeParse({ message: "x", extra: 1 }).success).toBe(true);
    const read = pool.tools().find((t) => t.name === "mcp_files_read_text_file");
    expect(read?.description.startsWith("[server:")).toBe(false);
  });

  it("calls echo and returns its text", async () => {
    const result = await call(
      pool.tools().find((t) => t.name === "mcp_everything_echo"),
      { message: "hi there" },
    );
    expect(result.isError).toBeUndefined();
    expect(result.content).toEqual([{ type: "text", text: "Echo: hi there" }]);
  });

  it("maps an image result to an image part", async () => {
    const result = await call(
      pool.tools().find((t) => t.name === "mcp_everything_get-tiny-image"),
      {},
    );
    const parts = Array.isArray(result.content) ? result.content : [];
    const image = parts.find((p) => p.type === "image");
    expect(image).toMatchObject({ type: "image", mediaType: "image/png" });
    expect(image?.type === "image" && Buffer.from(image.data, "base64").subarray(1, 4).toString()).toBe(
      "PNG",
    );
    expect(parts.filter((p) => p.type === "text")).toHaveLength(2);
  });

  it("maps embedded resources and resource links to text with their uri", async () => {
    const ref = await call(
      pool.tools().find((t) => t.name === "mcp_everything_get-resource-reference"),
      {
        resourceType: "Text",
        resourceId: 2,
      },
    );
    expect(texts(ref)).toMatch(/\[resource: demo:\/\/resource\/[^\]]+\]\n\S/);
    const links = await call(
      pool.tools().find((t) => t.name === "mcp_everything_get-resource-links"),
      {
        count: 2,
      },
    );
    expect(texts(links)).toContain("[resource link: Text Resource 2 demo://resource/dynamic/text/2]");
  });

  it("starts stdio servers with a minimal environment plus the configured env", async () => {
    const result = await call(
      pool.tools().find((t) => t.name === "mcp_everything_get-env"),
      {},
    );
    const env = JSON.parse(texts(result)) as Record<string, string>;
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.KAVILO_CONFIGURED).toBe("yes");
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.LC_ALL).toBe("C.UTF-8");
    const unexpected = Object.keys(env).filter(
      (k) =>
        !["PATH", "HOME", "LANG", "TERM", "USER", "SHELL", "TMPDIR", "LOGNAME", "KAVILO_CONFIGURED"].includes(
          k,
        ) && !k.startsWith("LC_"),
    );
    expect(unexpected).toEqual([]);
  });

  it("works with the filesystem server and maps isError", async () => {
    const ok = await call(
      pool.tools().find((t) => t.name === "mcp_files_read_text_file"),
      {
        path: join(dataDir, "note.txt"),
      },
    );
    expect(texts(ok)).toContain("hello from the filesystem server");
    const denied = await call(
      pool.tools().find((t) => t.name === "mcp_files_read_text_file"),
      {
        path: join(home, "outside.txt"),
      },
    );
    expect(denied.isError).toBe(true);
    expect(texts(denied)).toMatch(/denied|outside|not allowed/i);
  });

  it("close() stops the servers and empties the tool list", async () => {
    const extra = createMcpPool({ paths: makePaths(home), servers: { everything: stdio([everythingBin]) } });
    await extra.connect();
    expect(extra.tools().length).toBeGreaterThan(0);
    await extra.close();
    expect(extra.tools()).toEqual([]);
    expect(extra.status()[0]?.state).toBe("not-started");
  });
});
