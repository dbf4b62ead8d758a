import { describe, expect, it } from "vitest";
import * as z from "zod";
import { configSchema } from "../../src/core/config/schema.js";
import { createBuiltinTools } from "../../src/core/tools/builtin.js";
import { catalogEntryOf, type LazyTool } from "../../src/core/tools/lazy-tool.js";
import { hasInputSchema, ToolRegistry } from "../../src/core/tools/registry.js";
import { defineTool, type Tool, ToolError } from "../../src/core/tools/types.js";

const ctx = () => ({
  workspace: "/",
  restrictToWorkspace: true,
  signal: new AbortController().signal,
  sessionKey: "t",
});

const echo = defineTool({
  name: "echo",
  description: "Echo text",
  parameters: z.object({
    text: z.string().describe("What to echo"),
    times: z.number().int().positive().optional().describe("Repeat count"),
  }),
  capabilities: { readOnly: true },
  async run(args) {
    return args.text.repeat(args.times ?? 1);
  },
});

function failing(name: string, error: unknown): Tool {
  return defineTool({
    name,
    description: "fails",
    parameters: z.object({}),
    capabilities: {},
    async run() {
      throw error;
    },
  });
}

describe("ToolRegistry", () => {
  it("refuses a duplicate name instead of overwriting", () => {
    const registry = new ToolRegistry([echo]);
    expect(() => registry.register({ ...echo, description: "other" })).toThrow(
      'A tool named "echo" is already registered',
    );
    expect(registry.get("echo")?.description).toBe("Echo text");
    expect(registry.list()).toHaveLength(1);
  });

  it("runs a tool with validated arguments and times it", async () => {
    const res = await new ToolRegistry([echo]).execute(
      { id: "1", name: "echo", args: { text: "ab", times: 2 } },
      ctx(),
    );
    expect(res).toMatchObject({ content: "abab", isError: false });
    expect(res.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("turns invalid arguments into an error result listing each problem", async () => {
    const res = await new ToolRegistry([echo]).execute({ id: "1", name: "echo", args: { times: -1 } }, ctx());
    expect(res.isError).toBe(true);
    expect(res.content).toMatch(/^Invalid arguments for echo:\n- text: .+\n- times: .+/);
  });

  it("turns an unknown tool into an error result", async () => {
    const res = await new ToolRegistry([echo]).execute({ id: "1", name: "nope", args: {} }, ctx());
    expect(res).toMatchObject({ isError: true, content: 'Unknown tool "nope". Available tools: echo' });
  });

  it("turns throws into error results: ToolError as is, others prefixed", async () => {
    const registry = new ToolRegistry([
      failing("a", new ToolError("clear message")),
      failing("b", new Error("boom")),
    ]);
    await expect(registry.execute({ id: "1", name: "a", args: {} }, ctx())).resolves.toMatchObject({
      isError: true,
      content: "clear message",
    });
    await expect(registry.execute({ id: "2", name: "b", args: undefined }, ctx())).resolves.toMatchObject({
      isError: true,
      content: "b failed: boom",
    });
  });

  it("passes a structured isError result through", async () => {
    const tool = defineTool({
      ...echo,
      name: "structured",
      async run() {
        return { content: [{ type: "text" as const, text: "hi" }], isError: true };
      },
    });
    const res = await new ToolRegistry([tool]).execute(
      { id: "1", name: "structured", args: { text: "" } },
      ctx(),
    );
    expect(res).toMatchObject({ content: [{ type: "text", text: "hi" }], isError: true });
  });

  it("gives JSON Schema specs from zod, or a tool's own inputSchema as is", () => {
    const raw = { type: "object", properties: { q: { type: "string" } }, required: ["q"] };
    const mcpLike: Tool = Object.assign({ ...echo, name: "mcp_x_search" }, { inputSchema: raw });
    const registry = new ToolRegistry([echo, mcpLike]);
    expect(hasInputSchema(echo)).toBe(false);
    expect(hasInputSchema(mcpLike)).toBe(true);
    const [echoSpec, mcpSpec] = registry.specs();
    expect(echoSpec).toEqual({
      name: "echo",
      description: "Echo text",
      parameters: {
        type: "object",
        properties: {
          text: { type: "string", description: "What to echo" },
          times: {
            type: "integer",
            exclusiveMinimum: 0,
            maximum: 9007199254740991,
            description: "Repeat count",
          },
        },
        required: ["text"],
      },
    });
    expect(mcpSpec?.parameters).toBe(raw);
  });

  it("registers every built-in tool with an object schema whose fields are described", () => {
    const tools = createBuiltinTools({ tools: configSchema.parse({}).tools });
    const registry = new ToolRegistry(tools);
    expect(registry.list().map((t) => t.name)).toEqual([
      "read_file",
      "write_file",
      "edit_file",
      "list_directory",
      "glob_files",
      "shell",
      "web_fetch",
      "web_search",
    ]);
    for (const spec of registry.specs()) {
      expect(spec.parameters.type).toBe("object");
      const props = spec.parameters.properties as Record<string, { description?: string }>;
      for (const [field, schema] of Object.entries(props)) {
        expect(schema.description, `${spec.name}.${field}`).toBeTruthy();
      }
    }
  });

  it("lists a lazy tool from its catalog entry and loads it once, on its first call", async () => {
    let loads = 0;
    const lazyEcho: LazyTool = {
      ...catalogEntryOf(echo),
      load: async () => {
        loads++;
        return echo;
      },
    };
    const registry = new ToolRegistry([lazyEcho]);
    expect(registry.specs()).toEqual(new ToolRegistry([echo]).specs());
    expect(registry.get("echo")?.capabilities).toEqual({ readOnly: true });
    expect(loads).toBe(0);
    // Validated by the real tool's zod schema, then run.
    const bad = await registry.execute({ id: "1", name: "echo", args: { times: -1 } }, ctx());
    expect(bad.content).toMatch(/^Invalid arguments for echo:\n- text: .+\n- times: .+/);
    const [a, b] = await Promise.all([
      registry.execute({ id: "2", name: "echo", args: { text: "a" } }, ctx()),
      registry.execute({ id: "3", name: "echo", args: { text: "b", times: 2 } }, ctx()),
    ]);
    expect([a.content, b.content]).toEqual(["a", "bb"]);
    expect(loads).toBe(1);
  });

  it("a lazy tool that fails to load is an error result, and the next call tries again", async () => {
    let fail = true;
    const flaky: LazyTool = {
      ...catalogEntryOf(echo),
      load: async () => {
        if (fail) throw new Error("EMFILE: too many open files");
        return echo;
      },
    };
    const registry = new ToolRegistry([flaky]);
    const first = await registry.execute({ id: "1", name: "echo", args: { text: "x" } }, ctx());
    expect(first).toMatchObject({
      isError: true,
      content: "echo could not be loaded: EMFILE: too many open files",
    });
    fail = false;
    const second = await registry.execute({ id: "2", name: "echo", args: { text: "x" } }, ctx());
    expect(second).toMatchObject({ isError: false, content: "x" });
  });

  it("a lazy tool registered again under the same name loads the new one", async () => {
    const lazyOf = (tool: Tool): LazyTool => ({ ...catalogEntryOf(tool), load: async () => tool });
    const registry = new ToolRegistry([lazyOf(echo)]);
    await registry.execute({ id: "1", name: "echo", args: { text: "x" } }, ctx());
    registry.unregister("echo");
    registry.register(lazyOf(failing("echo", new ToolError("the new one"))));
    const res = await registry.execute({ id: "2", name: "echo", args: {} }, ctx());
    expect(res).toMatchObject({ isError: true, content: "the new one" });
  });
});
