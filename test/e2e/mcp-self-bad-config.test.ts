import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, runCli, tempHome } from "../helpers/cli.js";

const SECRET = "plainDEEPSEEKsecretValue9";

/** A home whose config.json is broken right at an unquoted API key. */
function brokenHome(): string {
  const home = tempHome("kavilo-bad-json-");
  mkdirSync(join(home, ".kavilo"), { recursive: true });
  writeFileSync(
    join(home, ".kavilo", "config.json"),
    `{\n  "providers": {\n    "deepseek": { "apiKey": ${SECRET} }\n  }\n}\n`,
    { mode: 0o600 },
  );
  return home;
}

function expectNoExcerpt(text: string) {
  for (let n = 4; n <= SECRET.length; n++) expect(text).not.toContain(SECRET.slice(0, n));
}

describe("a config.json that is not valid JSON", () => {
  it("the CLI names line and column, and quotes none of the file", async () => {
    const r = await runCli(["status"], { env: cleanEnv(brokenHome()) });
    expect(r.stdout + r.stderr).toContain("not valid JSON at line 3, column 29");
    expectNoExcerpt(r.stdout + r.stderr);
  });

  it("the self server's tools say the same, without the excerpt", async () => {
    const messages = [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_channels", arguments: {} } },
      { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_sessions", arguments: {} } },
    ];
    const input = `${messages.map((m) => JSON.stringify(m)).join("\n")}\n`;
    const r = await runCli(["mcp", "serve", "self"], { env: cleanEnv(brokenHome()), input });
    const replies = r.stdout
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as { id: number; result?: { isError?: boolean; content?: Array<{ text: string }> } },
      );
    for (const id of [2, 3]) {
      const reply = replies.find((m) => m.id === id);
      expect(reply?.result?.isError).toBe(true);
      expect(reply?.result?.content?.[0]?.text).toContain("not valid JSON at line 3, column 29");
    }
    expectNoExcerpt(r.stdout + r.stderr);
  });
});
