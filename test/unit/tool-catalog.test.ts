import { describe, expect, it } from "vitest";
import { selfDepsOf } from "../../src/cli/compose/self-deps.js";
import { createContext } from "../../src/cli/context.js";
import { configSchema } from "../../src/core/config/schema.js";
import { resolveHome } from "../../src/core/home.js";
import { createBuiltinTools } from "../../src/core/tools/builtin.js";
import { builtinToolCatalog, lazyBuiltinTools } from "../../src/core/tools/builtin-catalog.js";
import { liveBuiltinCatalog } from "../../src/core/tools/builtin-catalog-live.js";
import { type RegisteredTool, ToolRegistry } from "../../src/core/tools/registry.js";
import { selfToolsAsAgentTools } from "../../src/mcp/servers/self/agent-tools.js";
import { lazySelfAgentTools, selfToolCatalog } from "../../src/mcp/servers/self/self-catalog.js";
import { inertSelfDeps, liveSelfCatalog } from "../../src/mcp/servers/self/self-catalog-live.js";
import type { SelfDeps } from "../../src/mcp/servers/self/self-tool.js";
import { cleanEnv, tempHome } from "../helpers/cli.js";

/** Everything the model is told about a registry's tools, and their capabilities. */
function told(tools: RegisteredTool[]) {
  const registry = new ToolRegistry(tools);
  return { specs: registry.specs(), capabilities: registry.list().map((t) => [t.name, t.capabilities]) };
}

const defaults = configSchema.parse({}).tools;
// As far from the defaults as the options go: every option a built-in factory takes is changed.
const unusual = configSchema.parse({
  tools: {
    allowHardLinks: true,
    restrictToWorkspace: false,
    exec: { timeout: 7, scrubEnv: false, scrubEnvExtra: ["X_*"], scrubEnvKeep: ["GH_TOKEN"] },
    web: {
      fetch: { allowPrivate: true, maxChars: 123 },
      search: { apiKey: "brave-key", maxResults: 2, apiBase: "http://127.0.0.1:9/brave" },
    },
  },
}).tools;

async function realSelfDeps(): Promise<SelfDeps> {
  const userHome = tempHome("kavilo-catalog-");
  const env = cleanEnv(userHome);
  const ctx = await createContext(resolveHome({ env, userHome }), env, false);
  return {
    ...selfDepsOf(ctx),
    send: async () => {},
    outboxTimeoutMs: 5,
    now: () => new Date("2020-01-01T00:00:00Z"),
    env: { OPENAI_API_KEY: "sk-x" },
    fetchFn: async () => new Response("{}"),
    loginRedirectUrl: "http://127.0.0.1:1/cb",
  };
}

describe("the built-in tools' catalog", () => {
  it("lazy built-ins tell the model exactly what the real ones do, whatever the options", async () => {
    const catalog = await builtinToolCatalog();
    for (const tools of [defaults, unusual]) {
      const opts = { tools, readRoots: ["/media"], denyRoots: ["/sessions"] };
      expect(told(lazyBuiltinTools(catalog, opts))).toEqual(told(createBuiltinTools(opts)));
    }
  });

  it("depends on no option but the shell's timeout, which the lazy shell takes from its options", () => {
    const shellOf = (tools: typeof defaults) => liveBuiltinCatalog(tools).find((e) => e.name === "shell");
    const withoutShellText = (tools: typeof defaults) =>
      liveBuiltinCatalog(tools).map((e) => (e.name === "shell" ? { ...e, description: "" } : e));
    expect(withoutShellText(unusual)).toEqual(withoutShellText(defaults));
    expect(shellOf(unusual)?.description).toContain("killed after 7 s");
    expect(shellOf(defaults)?.description).not.toContain("killed after 7 s");
    const lazyShell = lazyBuiltinTools(liveBuiltinCatalog(defaults), { tools: unusual }).find(
      (t) => t.name === "shell",
    );
    expect(lazyShell?.description).toBe(shellOf(unusual)?.description);
  });

  it("a lazy built-in runs the real tool with the real options", async () => {
    const registry = new ToolRegistry(
      lazyBuiltinTools(await builtinToolCatalog(), {
        tools: { ...unusual, exec: { ...unusual.exec, timeout: 1 } },
      }),
    );
    const ctx = {
      workspace: "/",
      restrictToWorkspace: false,
      signal: new AbortController().signal,
      sessionKey: "t",
    };
    const slow = await registry.execute({ id: "1", name: "shell", args: { command: "sleep 5" } }, ctx);
    expect(slow).toMatchObject({ isError: true, content: expect.stringContaining("timed out after 1 s") });
    const bad = await registry.execute({ id: "2", name: "web_search", args: { query: "" } }, ctx);
    expect(bad).toMatchObject({
      isError: true,
      content: expect.stringContaining("Invalid arguments for web_search"),
    });
  });
});

describe("the self tools' catalog", () => {
  it("is built without reading the deps, and is the same with real deps", async () => {
    const inert = inertSelfDeps();
    expect(() => inert.basePaths).toThrow("must not depend on SelfDeps");
    expect(() => inert.config()).toThrow("must not depend on SelfDeps");
    expect(liveSelfCatalog(await realSelfDeps())).toEqual(liveSelfCatalog(inert));
    expect(liveSelfCatalog().map((s) => s.name)).toContain("send_channel_message");
    expect(liveSelfCatalog().find((s) => s.name === "status")).toMatchObject({
      title: "kavilo status",
      readOnly: true,
      inputSchema: { type: "object" },
    });
  });

  it("lazy kavilo_* tools tell the model exactly what selfToolsAsAgentTools does", async () => {
    const catalog = await selfToolCatalog();
    const deps = await realSelfDeps();
    for (const opts of [
      {},
      { exclude: ["send_channel_message"] },
      { exclude: ["status", "mcp_login_start"] },
    ]) {
      expect(told(lazySelfAgentTools(catalog, deps, opts))).toEqual(told(selfToolsAsAgentTools(deps, opts)));
    }
  });

  it("a lazy kavilo_* tool runs the real one with the deps it was given", async () => {
    const deps = await realSelfDeps();
    const registry = new ToolRegistry(lazySelfAgentTools(await selfToolCatalog(), deps));
    const ctx = {
      workspace: "/",
      restrictToWorkspace: true,
      signal: new AbortController().signal,
      sessionKey: "t",
    };
    const usage = await registry.execute({ id: "1", name: "kavilo_usage_summary", args: {} }, ctx);
    expect(usage.isError).toBe(false);
    expect(JSON.parse(String(usage.content))).toMatchObject({ total: { calls: 0 } });
    // From a chat the adapter's refusals still apply.
    const chat = { ...ctx, origin: { channel: "telegram", chatId: "1" } };
    const list = await registry.execute({ id: "2", name: "kavilo_list_sessions", args: {} }, chat);
    expect(list).toMatchObject({ isError: true, content: expect.stringContaining("from a chat") });
  });
});
