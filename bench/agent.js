// The agent loop's own overhead per turn, and the instant fake and child timer that bench/floors.js
// uses for `agent -m` against the openai-SDK floor.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importBundle, ROOT } from "./lib.js";

/** The smallest OpenAI-compatible SSE answer: one text chunk, usage, done. */
export function instantServer() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (o) => `data: ${JSON.stringify(o)}\n\n`;
      const base = { id: "x", object: "chat.completion.chunk", created: 1, model: "m" };
      res.write(
        chunk({
          ...base,
          choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: null }],
        }),
      );
      res.write(chunk({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }));
      res.write(
        chunk({ ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      );
      res.end("data: [DONE]\n\n");
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export function timeChild(args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${args.join(" ")} exited ${code}: ${err}`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

/** Bundles the loop with an in-process instant provider and times turns. */
async function loopOverhead() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-bench-loop-")));
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    `
import { Agent } from ${JSON.stringify(join(ROOT, "src/core/agent/agent.ts"))};
import { SessionStore } from ${JSON.stringify(join(ROOT, "src/core/session/session-store.ts"))};
import { ToolRegistry } from ${JSON.stringify(join(ROOT, "src/core/tools/registry.ts"))};
import { createBuiltinTools } from ${JSON.stringify(join(ROOT, "src/core/tools/builtin.ts"))};
import { parseConfig } from ${JSON.stringify(join(ROOT, "src/core/config/load.ts"))};
import { UsageLog } from ${JSON.stringify(join(ROOT, "src/core/usage.ts"))};
export async function measure(workspace: string, turns: number): Promise<number> {
  const provider = { id: "instant", async *stream() {
    yield { type: "text-delta", text: "ok" } as const;
    yield { type: "usage", usage: { input: 1, output: 1 } } as const;
    yield { type: "finish", reason: "stop" } as const;
  } };
  const { config } = parseConfig({}, "bench");
  const agent = new Agent({ provider, providerName: "instant", model: "m",
    tools: new ToolRegistry(createBuiltinTools({ tools: config.tools })),
    sessions: new SessionStore(workspace + "/sessions"), usage: new UsageLog(workspace + "/usage"),
    workspace, restrictToWorkspace: true, maxIterations: 20 });
  const run = async (i: number) => { for await (const _ of agent.runTurn({ sessionKey: "bench-" + (i % 10), input: "hi" })) {} };
  for (let i = 0; i < 50; i++) await run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < turns; i++) await run(i);
  return Number(process.hrtime.bigint() - start) / 1e6 / turns;
}`,
  );
  const { measure } = await importBundle(entry, "loop");
  const ws = join(dir, "ws");
  mkdirSync(ws);
  for (const f of ["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md"])
    writeFileSync(join(ws, f), `# ${f}\nsome text\n`);
  const perTurn = await measure(ws, 500);
  // A per-turn time in ms against a 2 ms budget: the "ratio" column is ms/budget-unit (1 = 1 ms).
  return {
    name: "agent loop overhead per turn (ms, budget 2)",
    budget: 2,
    ratio: perTurn,
    detail: `${perTurn.toFixed(2)} ms per turn`,
  };
}

export async function run() {
  return [await loopOverhead()];
}
