import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
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
});
