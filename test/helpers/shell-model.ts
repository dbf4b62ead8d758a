import { lastUserText, type RecordedRequest } from "../fakes/openai-server.js";

/**
 * A fake model's replies for approval tests: a user message "run: <cmd>" calls `shell` with <cmd>,
 * "spawn: <task>" starts a sub-agent with <task>, "cron: <message>" adds a job running <message> in 1 s; after a tool result it answers
 * "tool said: <the result's first line>".
 */
export function shellModel(req: RecordedRequest) {
  const messages = (req.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  const last = messages.at(-1);
  if (last?.role === "tool") return { text: `tool said: ${String(last.content).split("\n")[0]}` };
  const later = /^(?:@\w+ )?cron: (.+)$/.exec(lastUserText(req))?.[1];
  if (later && last?.role !== "tool") {
    return {
      toolCalls: [
        { id: `j${req.index}`, name: "cron", args: { action: "add", in_seconds: 1, message: later } },
      ],
    };
  }
  const task = /^(?:@\w+ )?spawn: (.+)$/.exec(lastUserText(req))?.[1];
  if (task) return { toolCalls: [{ id: `s${req.index}`, name: "spawn", args: { task } }] };
  const cmd = /run: (.+)$/.exec(lastUserText(req))?.[1];
  if (cmd) return { toolCalls: [{ id: `c${req.index}`, name: "shell", args: { command: cmd } }] };
  return { text: "nothing to run" };
}
