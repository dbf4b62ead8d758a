import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeOAuthServer } from "../fakes/oauth-server.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

const require = createRequire(import.meta.url);
const everything = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

function writeConfig(home: string, mcpServers: Record<string, unknown>) {
  mkdirSync(join(home, ".kavilo"), { recursive: true });
  writeFileSync(join(home, ".kavilo", "config.json"), JSON.stringify({ tools: { mcpServers } }));
}

describe("kavilo agent -m with MCP servers", () => {
  it("the model calls mcp_everything_echo and the echoed text comes back to it", async () => {
    llm = await startFakeOpenAI({
      steps: [
        { toolCalls: [{ id: "call_echo", name: "mcp_everything_echo", args: { message: "marco polo 42" } }] },
        { text: "The server said it back." },
      ],
    });
    const home = tempHome();
    writeConfig(home, {
      everything: {
        command: process.execPath,
        args: [everything, "stdio"],
        description: "the reference test server",
        enabledTools: ["echo", "get-sum"],
      },
      dead: { command: "/bin/false" },
    });
    const env = cleanEnv(home, {
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "k",
      KAVILO_MODEL: "m",
    });
    const r = await runCli(["agent", "-m", "echo something"], { env, timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("The server said it back.");
    // the dead server is one warning line, and the rest works
    expect(r.stderr).toMatch(/warning: .*dead/);

    const first = llm.requests[0]!.body as {
      tools: Array<{ function: { name: string; description: string } }>;
    };
    const names = first.tools.map((t) => t.function.name);
    expect(names).toContain("mcp_everything_echo");
    expect(names).toContain("mcp_everything_get-sum");
    expect(names.filter((n) => n.startsWith("mcp_everything_"))).toHaveLength(2);
    const echo = first.tools.find((t) => t.function.name === "mcp_everything_echo")!;
    expect(echo.function.description.startsWith("[server: the reference test server]\n")).toBe(true);

    const second = llm.requests[1]!.body as {
      messages: Array<{ role: string; tool_call_id?: string; content: unknown }>;
    };
    const result = second.messages.find((m) => m.role === "tool");
    expect(result?.tool_call_id).toBe("call_echo");
    expect(JSON.stringify(result?.content)).toContain("marco polo 42");
  }, 40_000);

  it("a server that wants a login gives the model one tool that returns the login line", async () => {
    const oauth = await startFakeOAuthServer();
    try {
      llm = await startFakeOpenAI({
        steps: [
          { toolCalls: [{ id: "call_login", name: "mcp_remote_login_required", args: {} }] },
          { text: "You need to log in first." },
        ],
      });
      const home = tempHome();
      writeConfig(home, {
        remote: { type: "http", url: oauth.mcpUrl },
        everything: {
          command: process.execPath,
          args: [everything, "stdio"],
          enabledTools: ["echo", "ech0"],
        },
      });
      const env = cleanEnv(home, {
        KAVILO_PROVIDER: "openai",
        KAVILO_API_BASE: llm.url,
        KAVILO_API_KEY: "k",
        KAVILO_MODEL: "m",
      });
      const r = await runCli(["agent", "-m", "use the remote server"], { env, timeoutMs: 30_000 });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("You need to log in first.");
      const line = "MCP_AUTH_REQUIRED:server=remote; run kavilo mcp login --server remote";
      expect(r.stderr).toContain(line);
      expect(r.stderr).toContain('enabledTools of everything names unknown tool "ech0"');

      const first = llm.requests[0]!.body as {
        tools: Array<{ function: { name: string; description: string } }>;
      };
      const stand = first.tools.find((t) => t.function.name === "mcp_remote_login_required");
      expect(stand?.function.description).toContain("needs a login before its tools are available");
      expect(first.tools.filter((t) => t.function.name.startsWith("mcp_remote_"))).toHaveLength(1);

      const second = llm.requests[1]!.body as {
        messages: Array<{ role: string; tool_call_id?: string; content: unknown }>;
      };
      const result = second.messages.find((m) => m.role === "tool");
      expect(result?.tool_call_id).toBe("call_login");
      expect(JSON.stringify(result?.content)).toContain(line);
    } finally {
      await oauth.close();
    }
  }, 40_000);
});
