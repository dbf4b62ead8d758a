import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Paths } from "../../core/base/paths.js";
import { claudeOAuthDisabled } from "./settings.js";

/**
 * Whether a Claude login applies, told from the token file's existence alone: provider resolution
 * asks on every run, so this module loads neither the token file's parser nor the OAuth client.
 */

/** `<home>/auth/anthropic/oauth.json`: per profile, beside mcp-auth/. */
export function claudeTokenPath(paths: Pick<Paths, "auth">): string {
  return join(paths.auth, "anthropic", "oauth.json");
}

/** Whether requests to Anthropic should use the Claude login: a token file exists and it is not disabled. */
export function claudeLoginActive(paths: Pick<Paths, "auth">, env: NodeJS.ProcessEnv): boolean {
  return !claudeOAuthDisabled(env) && existsSync(claudeTokenPath(paths));
}

/** The model names Claude or Anthropic: the login is only for Anthropic's own models. */
export function namesClaude(model: string | undefined): boolean {
  return /claude|anthropic/i.test(model ?? "");
}

/**
 * For provider resolution: with a Claude login, anthropic counts as configured (no API key needed)
 * when the model names claude or anthropic, or no model is set (anthropic's default is a claude model).
 */
export function claudeLoginProviders(
  model: string | undefined,
  paths: Pick<Paths, "auth">,
  env: NodeJS.ProcessEnv,
): ReadonlySet<string> {
  return (!model || namesClaude(model)) && claudeLoginActive(paths, env) ? new Set(["anthropic"]) : new Set();
}
