import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { type ListedTool, serveListedTools } from "../../src/mcp/servers/listed-tools.js";
import type { ServedTool } from "../../src/mcp/servers/register-tools.js";
import { rawExchange, rpc } from "../helpers/mcp-self-reference.js";

const echo: ServedTool = {
  name: "echo",
  title: "Echo",
  description: "Says it back.",
  input: z.object({ text: z.string() }),
  readOnly: true,
};
const LISTED: ListedTool[] = [
  {
    name: "echo",
    title: "Echo",
    description: "Says it back.",
    readOnly: true,
    inputSchema: { type: "object" },
  },
];
const INITIALIZE = rpc(1, "initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "t", version: "1" },
});

/** A server with `echo` listed, counting loads; the first `failures` loads throw. */
function echoServer(failures = 0) {
  const counts = { loads: 0 };
  const server = new Server({ name: "t", version: "1" });
  serveListedTools(server, {
    listing: async () => LISTED,
    load: async () => {
      counts.loads++;
      if (counts.loads <= failures) throw new Error(`load ${counts.loads} failed`);
      return { tools: [echo], run: async (_tool, args) => ({ text: JSON.stringify(args), isError: false }) };
    },
    openWorld: true,
  });
  return { server, counts };
}

describe("serveListedTools", () => {
  it("lists from the listing without loading anything, and loads once, on the first call", async () => {
    const { server, counts } = echoServer();
    const [, list, ...calls] = await rawExchange(server, [
      INITIALIZE,
      rpc(2, "tools/list"),
      rpc(3, "tools/call", { name: "nope", arguments: {} }),
      rpc(4, "tools/call", { name: "echo", arguments: { text: "hi" } }),
      rpc(5, "tools/call", { name: "echo", arguments: { text: "again" } }),
    ]);
    expect(list).toMatchObject({
      result: {
        tools: [
          {
            name: "echo",
            inputSchema: { type: "object" },
            annotations: { title: "Echo", readOnlyHint: true, destructiveHint: false, openWorldHint: true },
            execution: { taskSupport: "forbidden" },
          },
        ],
      },
    });
    // An unknown tool is refused from the listing: still nothing loaded.
    expect(calls[0]).toMatchObject({
      result: { isError: true, content: [{ text: "MCP error -32602: Tool nope not found" }] },
    });
    expect(calls[1]).toMatchObject({ result: { content: [{ type: "text", text: '{"text":"hi"}' }] } });
    expect(calls[2]).toMatchObject({ result: { content: [{ text: '{"text":"again"}' }] } });
    expect(counts.loads).toBe(1);
  });

  it("answers nothing but the listing before a call: initialize and tools/list load no tool", async () => {
    const { server, counts } = echoServer();
    await rawExchange(server, [INITIALIZE, rpc(2, "tools/list"), rpc(3, "tools/list")]);
    expect(counts.loads).toBe(0);
  });

  it("a load that fails is the call's error result, and is tried again on the next call", async () => {
    const { server, counts } = echoServer(1);
    const [, failed, worked] = await rawExchange(server, [
      INITIALIZE,
      rpc(2, "tools/call", { name: "echo", arguments: { text: "a" } }),
      rpc(3, "tools/call", { name: "echo", arguments: { text: "b" } }),
    ]);
    expect(failed).toMatchObject({ result: { isError: true, content: [{ text: "load 1 failed" }] } });
    expect(worked).toMatchObject({ result: { content: [{ text: '{"text":"b"}' }] } });
    expect(counts.loads).toBe(2);
  });

  it("a listed tool its implementation lacks is an error result naming it", async () => {
    const server = new Server({ name: "t", version: "1" });
    serveListedTools(server, {
      listing: async () => LISTED,
      load: async () => ({ tools: [], run: async () => ({ text: "", isError: false }) }),
      openWorld: false,
    });
    const [, reply] = await rawExchange(server, [
      INITIALIZE,
      rpc(2, "tools/call", { name: "echo", arguments: {} }),
    ]);
    expect(reply).toMatchObject({
      result: { isError: true, content: [{ text: expect.stringContaining("echo: listed") }] },
    });
  });
});
