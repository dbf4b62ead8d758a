import { randomBytes } from "node:crypto";
import * as z from "zod";
import type { Interaction } from "../agent/interaction.js";
import type { ChannelTarget } from "../bus/types.js";
import { defineTool, ToolError } from "./types.js";

export interface SpawnRequest {
  id: string;
  /** spawn:<id> */
  sessionKey: string;
  task: string;
  maxToolSteps: number;
  origin?: ChannelTarget;
  /** Who the parent turn asks (approvals): the sub-agent asks the same user. */
  interaction?: Interaction;
}

export interface SpawnToolOptions {
  /** Runs the sub-agent's turn to its end and returns its final answer. */
  run: (req: SpawnRequest) => Promise<string>;
  /** Announces the result in the chat that started it. */
  deliver: (target: ChannelTarget, text: string) => Promise<void>;
  /** Where failures go when there is no chat to tell. */
  log?: (line: string) => void;
  maxToolSteps?: number;
  /** Sub-agents running at once; more are refused so a loop cannot fork without end. */
  maxRunning?: number;
  newId?: () => string;
}

const parameters = z.object({
  task: z.string().min(1).describe("Everything the sub-agent needs: it does not see this conversation"),
  label: z.string().optional().describe("A short name for the task, shown when it reports back"),
});

/** The agent's `spawn` tool: starts background work and returns at once; the result is announced later. */
export function createSpawnTool(opts: SpawnToolOptions) {
  const newId = opts.newId ?? (() => randomBytes(3).toString("hex"));
  const maxRunning = opts.maxRunning ?? 4;
  const running = new Set<string>();
  return defineTool({
    name: "spawn",
    description:
      "Start a background sub-agent for a longer task and return immediately. It works with the same " +
      "tools in its own session and its result is posted to this chat when done. Use it for work " +
      "that can run while you keep talking.",
    parameters,
    capabilities: { sideEffect: true },
    async run(args, ctx) {
      if (ctx.sessionKey.startsWith("spawn:")) throw new ToolError("a sub-agent cannot start sub-agents");
      if (running.size >= maxRunning) {
        throw new ToolError(`${running.size} sub-agents are already running; wait for one to finish`);
      }
      const id = newId();
      const name = args.label ? `"${args.label}" (${id})` : id;
      running.add(id);
      const req: SpawnRequest = {
        id,
        sessionKey: `spawn:${id}`,
        task: args.task,
        maxToolSteps: opts.maxToolSteps ?? 15,
        ...(ctx.origin ? { origin: ctx.origin } : {}),
        ...(ctx.interaction ? { interaction: ctx.interaction } : {}),
      };
      void (async () => {
        let text: string;
        try {
          text = `Sub-agent ${name} finished:\n\n${(await opts.run(req)).trim() || "(no answer)"}`;
        } catch (err) {
          text = `Sub-agent ${name} failed: ${(err as Error).message}`;
        } finally {
          running.delete(id);
        }
        if (!ctx.origin) {
          opts.log?.(text);
          return;
        }
        await opts.deliver(ctx.origin, text).catch((err: Error) => opts.log?.(`spawn ${id}: ${err.message}`));
      })();
      return `Started sub-agent ${id}; its result will be posted to this chat when it is done.`;
    },
  });
}
