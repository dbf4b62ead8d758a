import { readdirSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Paths } from "../../core/base/paths.js";

/**
 * Which Slack MCP aliases are logged in, from the file names alone: its own module (no zod, no token
 * parsing), so composing the agent's tools checks for them at no cost.
 */

/** Where the Slack MCP aliases' token and app files live. */
export function slackAuthDir(paths: Paths): string {
  return join(paths.mcpAuth, "slack");
}

const aliasesIn = (names: string[]) =>
  names
    .filter((n) => n.endsWith(".json") && !n.endsWith(".app.json") && !n.startsWith("."))
    .map((n) => n.slice(0, -".json".length))
    .sort();

/** The aliases with a token file, sorted. */
export async function listSlackAliases(paths: Paths): Promise<string[]> {
  try {
    return aliasesIn(await readdir(slackAuthDir(paths)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/** The same, at start-up (composing the agent's tools); an unreadable folder is no alias. */
export function listSlackAliasesSync(paths: Paths): string[] {
  try {
    return aliasesIn(readdirSync(slackAuthDir(paths)));
  } catch {
    return [];
  }
}
