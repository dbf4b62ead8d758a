import { maskKnown, redactSecrets, redactString } from "../../../core/base/redact.js";
import { knownSecrets } from "./known-secrets.js";
import { type SelfDeps, type SelfTool, SelfToolError } from "./self-tool.js";

/** What a self tool produced, already redacted: JSON text, or one error line. */
export interface SelfToolOutcome {
  text: string;
  isError: boolean;
}

/**
 * Runs a tool's handler and makes its answer safe to leave the process: data and error text
 * both pass through the shared sanitizer, whatever the handler returned. Then every secret value
 * the profile holds is masked wherever it still appears (a session may quote config.json).
 */
export async function runSelfTool(tool: SelfTool, args: unknown, deps: SelfDeps): Promise<SelfToolOutcome> {
  const outcome = await runUnmasked(tool, args);
  return { ...outcome, text: maskKnown(outcome.text, await knownSecrets(deps)) };
}

async function runUnmasked(tool: SelfTool, args: unknown): Promise<SelfToolOutcome> {
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(arguments)";
    return {
      text: redactString(`invalid arguments for ${tool.name}: ${where}: ${issue?.message}`),
      isError: true,
    };
  }
  try {
    const data = await tool.handler(parsed.data);
    return { text: JSON.stringify(redactSecrets(data ?? null), null, 2), isError: false };
  } catch (err) {
    // A SelfToolError is worded for the caller; anything else gets the tool's name for context.
    const message =
      err instanceof SelfToolError
        ? err.message
        : `${tool.name}: ${err instanceof Error ? err.message : String(err)}`;
    return { text: redactString(message), isError: true };
  }
}
