import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { inertSelfDeps } from "../../src/mcp/servers/self/self-catalog-live.js";
import { BIN, cleanEnv, ROOT, tempHome } from "../helpers/cli.js";
import { definesName, recordedProjectFiles, writeLoadHook } from "../helpers/load-hook.js";
import { rawExchange, referenceSelfServer, rpc } from "../helpers/mcp-self-reference.js";

// `kavilo mcp serve self` lists its tools from the tool catalog the build compiled in and loads their
// modules (and builds their zod schemas) only when one is called: an editor waits for initialize.

const pkgVersion = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

const INITIALIZE = rpc(1, "initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "t", version: "1" },
});
const START = [INITIALIZE, rpc(undefined, "notifications/initialized"), rpc(2, "tools/list")];

/** The self tools' implementation, found by its definitions in the chunks (definesName). */
const IMPLEMENTATION = [
  "createSelfTools",
  "createInfoTools",
  "createSessionTools",
  "createConfigTools",
  "createSendTool",
  "createLoginTools",
  "runSelfTool",
  "liveSelfCatalog",
];

/**
 * Runs the built `mcp serve self` on `messages` (stdin closed after them, so it answers and exits)
 * with the load hook; the replies by id and the project files it loaded.
 */
async function serve(
  messages: JSONRPCMessage[],
): Promise<{ replies: Map<unknown, unknown>; loaded: string[] }> {
  const home = tempHome("kavilo-mcp-self-lazy-");
  const { hook, out } = writeLoadHook(home);
  const child = spawn(process.execPath, ["--import", hook, BIN, "mcp", "serve", "self"], {
    env: cleanEnv(home),
    cwd: home,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code, stderr).toBe(0);
  const replies = new Map<unknown, unknown>();
  for (const line of stdout.split("\n").filter(Boolean)) {
    const reply = JSON.parse(line) as { id: unknown };
    replies.set(reply.id, reply);
  }
  return { replies, loaded: recordedProjectFiles(out) };
}

/** Which of the implementation's names the `loaded` files define. */
function implementationIn(loaded: string[]): string[] {
  return loaded.flatMap((f) => {
    const text = readFileSync(join(ROOT, f), "utf8");
    return IMPLEMENTATION.filter((name) => definesName(text, name));
  });
}

describe("kavilo mcp serve self loads its tools only when one is called", () => {
  it("answers initialize and tools/list without loading any self tool's module", async () => {
    const { replies, loaded } = await serve(START);
    expect(replies.get(1)).toMatchObject({ result: { serverInfo: { name: "kavilo" } } });
    expect(replies.get(2)).toMatchObject({ result: { tools: expect.any(Array) } });
    expect((replies.get(2) as { result: { tools: unknown[] } }).result.tools).toHaveLength(10);
    expect(loaded).toContain("dist/fast/fast.js");
    expect(implementationIn(loaded)).toEqual([]);
  });

  it("loads them on the first tools/call (so the names above are the build's)", async () => {
    const { replies, loaded } = await serve([...START, rpc(3, "tools/call", { name: "usage_summary" })]);
    expect(replies.get(3)).toMatchObject({
      result: { content: [{ text: expect.stringContaining("total") }] },
    });
    expect(implementationIn(loaded)).toEqual(
      expect.arrayContaining(["createSelfTools", "createInfoTools", "runSelfTool"]),
    );
  });

  it("answers initialize and tools/list exactly as an McpServer with the live self tools (a stale catalog fails here)", async () => {
    const { replies } = await serve(START);
    const reference = await rawExchange(referenceSelfServer(inertSelfDeps(), { version: pkgVersion }), START);
    expect([replies.get(1), replies.get(2)]).toEqual(reference);
  });
});
