import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, tempHome } from "../helpers/cli.js";

/** Raw JSON-RPC over the stdio of `kavilo mcp serve self`: one request per line, answers by id. */
async function exchange(
  requests: object[],
): Promise<Map<number, { error?: { code: number; message: string } }>> {
  const home = tempHome("kavilo-mcp-self-rpc-");
  const child = spawn(process.execPath, [BIN, "mcp", "serve", "self"], { env: cleanEnv(home), cwd: home });
  const answers = new Map<number, { error?: { code: number; message: string } }>();
  const wanted = requests.filter((r) => "id" in r).length;
  const done = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const msg = JSON.parse(line) as { id?: number; error?: { code: number; message: string } };
      if (typeof msg.id === "number") answers.set(msg.id, msg);
      if (answers.size === wanted) resolve();
    });
  });
  for (const r of requests) child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...r })}\n`);
  await done;
  child.stdin.end();
  child.kill();
  return answers;
}

describe("kavilo mcp serve self", () => {
  it("answers methods it does not serve with -32601, also the client-side ones (elicitation/create)", async () => {
    const answers = await exchange([
      {
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      },
      { method: "notifications/initialized" },
      { id: 2, method: "kavilo/unknown", params: {} },
      {
        id: 3,
        method: "elicitation/create",
        params: { message: "x", requestedSchema: { type: "object", properties: {} } },
      },
    ]);
    expect(answers.get(1)?.error).toBeUndefined();
    expect(answers.get(2)?.error?.code).toBe(-32601);
    expect(answers.get(3)?.error?.code).toBe(-32601);
  });
});
