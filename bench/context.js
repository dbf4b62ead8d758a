// Input tokens per turn across a 500-turn session of ~2k tokens a turn: the context budget holds
// however long the session grows. The provider is in-process and counts a request's tokens as a
// quarter of its JSON (reported back as usage, so calibration runs as with a real provider).

import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importBundle, median, ROOT } from "./lib.js";

const TURNS = 500;
const WINDOW = 64_000;
const MAX_TOKENS = 4_000;

async function session() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-bench-ctx-")));
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    `
import { Agent } from ${JSON.stringify(join(ROOT, "src/core/agent/agent.ts"))};
import { SessionStore } from ${JSON.stringify(join(ROOT, "src/core/session/session-store.ts"))};
import { ToolRegistry } from ${JSON.stringify(join(ROOT, "src/core/tools/registry.ts"))};
import { UsageLog } from ${JSON.stringify(join(ROOT, "src/core/usage.ts"))};
import type { ChatRequest, StreamEvent } from ${JSON.stringify(join(ROOT, "src/providers/types.ts"))};
export async function measure(workspace: string, turns: number, window: number, maxTokens: number) {
  const chat: number[] = [];
  let consolidations = 0;
  const provider = {
    id: "counting",
    async *stream(req: ChatRequest): AsyncGenerator<StreamEvent> {
      const input = Math.ceil(JSON.stringify({ s: req.system, m: req.messages, t: req.tools }).length / 4);
      if (req.toolChoice) {
        consolidations++;
        yield { type: "tool-call", id: "c" + consolidations, name: "save_memory",
          args: { history_entry: "[2026-01-01 00:00] Talked.", memory_update: "# Memory\\n- " + consolidations } };
      } else {
        chat.push(input);
        yield { type: "text-delta", text: "Answer. " + "here is a detailed explanation of it ".repeat(110) };
      }
      yield { type: "usage", usage: { input, output: 1000 } };
      yield { type: "finish", reason: "stop" };
    },
  };
  const agent = new Agent({ provider, providerName: "counting", model: "m", tools: new ToolRegistry(),
    sessions: new SessionStore(workspace + "/sessions"), usage: new UsageLog(workspace + "/usage"),
    workspace, restrictToWorkspace: true, maxIterations: 5, maxTokens,
    context: { contextWindow: window, contextBudget: 0.5 } });
  const budget = agent.context.budget("m");
  const question = (n: number) => "turn " + n + ": " + "please tell me more about the topic at hand ".repeat(90);
  for (let n = 1; n <= turns; n++) for await (const _ of agent.runTurn({ sessionKey: "bench", input: question(n) })) {}
  return { chat, consolidations, budget };
}`,
  );
  const { measure } = await importBundle(entry, "context");
  const ws = join(dir, "ws");
  mkdirSync(ws);
  return measure(ws, TURNS, WINDOW, MAX_TOKENS);
}

export async function run() {
  const { chat, consolidations, budget } = await session();
  const max = Math.max(...chat);
  process.stdout.write(
    `input tokens per turn over ${TURNS} turns (~2k tokens each; budget ${budget}): ` +
      `first ${chat[0]}, median ${median(chat)}, max ${max}; ${consolidations} consolidations\n`,
  );
  // The "ratio" column is max input ÷ budget: at most 1.
  return [
    {
      name: "input tokens per turn, max ÷ budget",
      budget: 1,
      ratio: max / budget,
      detail: `max ${max} of ${budget} tokens`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { report } = await import("./lib.js");
  process.exitCode = report(await run()) ? 1 : 0;
}
