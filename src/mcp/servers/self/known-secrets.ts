import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { configSecretValues, profileSecretValues } from "../../../core/config/secret-paths.js";
import type { SelfDeps } from "./self-tool.js";

/** Shorter values are left alone: masking "true" or "abc" everywhere would only add noise. */
const MIN_SECRET_LENGTH = 8;

async function jsonFilesUnder(dir: string, depth = 2): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isFile() && e.name.endsWith(".json")) files.push(path);
    else if (e.isDirectory() && depth > 0) files.push(...(await jsonFilesUnder(path, depth - 1)));
  }
  return files;
}

/**
 * Every secret value this profile actually holds: at the secret paths of config.json (with its env
 * overlays; see core/config/secret-paths.ts), in the token files in mcp-auth/, and in the values of
 * secret-named environment variables. Read once per tool call, so a
 * token saved a moment ago is known too. Longest first, so a secret containing another is masked whole.
 */
export async function knownSecrets(deps: SelfDeps): Promise<string[]> {
  const found = new Set<string>();
  let mcpAuth = deps.basePaths.mcpAuth;
  let config: unknown = {};
  try {
    const loaded = deps.config();
    config = loaded.config;
    mcpAuth = loaded.paths.mcpAuth;
  } catch {
    // A broken config.json has no values to offer (the tool reports the error itself); the
    // environment's still count.
  }
  for (const value of profileSecretValues(config, deps.env ?? process.env)) found.add(value);
  for (const file of await jsonFilesUnder(mcpAuth)) {
    try {
      for (const value of configSecretValues(JSON.parse(await readFile(file, "utf8")))) found.add(value);
    } catch {
      // unreadable or torn: nothing to learn from it
    }
  }
  return [...found].filter((s) => s.length >= MIN_SECRET_LENGTH);
}
