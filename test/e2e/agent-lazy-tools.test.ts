import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { liveBuiltinCatalog } from "../../src/core/tools/builtin-catalog-live.js";
import { liveSelfCatalog } from "../../src/mcp/servers/self/self-catalog-live.js";
import { bodyOf, type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { openaiEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

let llm: FakeLlm | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

describe("the built CLI's tool catalog", () => {
  it("is what the tool factories give now (a stale build fails here)", () => {
    const built = JSON.parse(readFileSync(join(ROOT, "dist", "tool-catalog.json"), "utf8"));
    expect(built).toEqual({ builtin: liveBuiltinCatalog(), self: liveSelfCatalog() });
  });

  it("a built-in and a kavilo_* tool the model calls are loaded then, and run", async () => {
    llm = await startFakeOpenAI({
      steps: [
        {
          toolCalls: [
            { id: "call_write", name: "write_file", args: { path: "a.txt", content: "lazy\n" } },
            { id: "call_channels", name: "kavilo_list_channels", args: {} },
          ],
        },
        { text: "Both done." },
      ],
    });
    const home = tempHome();
    const r = await runCli(["agent", "-m", "write a.txt and list the channels"], {
      env: openaiEnv(home, llm.url),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Both done.");
    expect(readFileSync(join(home, ".kavilo", "workspace", "a.txt"), "utf8")).toBe("lazy\n");
    const messages = bodyOf(llm.requests[1]).messages as Array<{
      role: string;
      tool_call_id?: string;
      content: string;
    }>;
    const results = Object.fromEntries(
      messages.filter((m) => m.role === "tool").map((m) => [m.tool_call_id, m.content]),
    );
    expect(results.call_write).toContain("a.txt");
    expect(JSON.parse(String(results.call_channels))).toMatchObject({
      channels: [
        { name: "telegram", enabled: false },
        { name: "slack", enabled: false },
      ],
    });
  });
});
