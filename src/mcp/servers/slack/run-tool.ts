import { redactText } from "../../../core/base/redact.js";
import { type SlackCall, SlackToolError } from "./slack-api.js";
import type { SlackTool } from "./tools.js";

export interface SlackToolOutcome {
  text: string;
  isError: boolean;
}

/** Validates the arguments, runs the tool and returns JSON text or one error line (token shapes masked). */
export async function runSlackTool(
  tool: SlackTool,
  args: unknown,
  call: SlackCall,
): Promise<SlackToolOutcome> {
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(arguments)";
    return { text: `invalid arguments for ${tool.name}: ${where}: ${issue?.message}`, isError: true };
  }
  try {
    const data = await tool.handler(parsed.data, call);
    return { text: redactText(JSON.stringify(data ?? null, null, 2)), isError: false };
  } catch (err) {
    const message = err instanceof SlackToolError ? err.message : `${tool.name}: ${(err as Error).message}`;
    return { text: redactText(message), isError: true };
  }
}
