import { closeSync, constants, fstatSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import type { ValidatedConfig } from "./load.js";
import { expandMcpServerVars } from "./mcp-vars.js";

/**
 * What a validated config depends on, all of it: the build that validated it, the file's path (its
 * warnings name it) and its exact text (null: no file, the defaults).
 */
export interface ConfigCacheKey {
  build: string;
  file: string;
  source: string | null;
}

type CacheEntry = ConfigCacheKey & ValidatedConfig;

/** A cache larger than this is not ours (config.json itself is at most 4 MB). */
const MAX_CACHE_BYTES = 32 * 1024 * 1024;

/** The MCP servers as the schema sees them, `${VAR}`s expanded from `env`. */
function expandedServers(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
  const servers = (raw.tools as { mcpServers?: unknown } | undefined)?.mcpServers;
  if (servers === null || typeof servers !== "object") return "";
  return JSON.stringify(
    Object.entries(servers).map(([alias, entry]) => [alias, expandMcpServerVars(entry, env).value]),
  );
}

/**
 * The cache key of a config.json, or undefined when it must not be cached: an MCP server takes a
 * `${VAR}` from the environment, so the validated config holds a value that is not in the file
 * (a token kept out of it on purpose: it is not written to disk), and which may differ next run.
 */
export function configCacheKey(
  build: string,
  file: string,
  text: string | undefined,
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): ConfigCacheKey | undefined {
  if (expandedServers(raw, env) !== expandedServers(raw, {})) return undefined;
  return { build, file, source: text ?? null };
}

function readText(cacheFile: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(cacheFile, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > MAX_CACHE_BYTES) return undefined;
    return readFileSync(fd, "utf8");
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The cached validation of exactly this key, or undefined: no cache, an unreadable or corrupt one,
 * or one written for another text, build, file or environment (the next miss rewrites it).
 */
export function readCachedConfig(cacheFile: string, key: ConfigCacheKey): ValidatedConfig | undefined {
  const text = readText(cacheFile);
  if (text === undefined) return undefined;
  let entry: Partial<CacheEntry>;
  try {
    entry = JSON.parse(text) as Partial<CacheEntry>;
  } catch {
    return undefined;
  }
  if (!isObject(entry)) return undefined;
  if (entry.build !== key.build || entry.file !== key.file) return undefined;
  if (entry.source !== key.source) return undefined;
  const { config, warnings, cleaned } = entry;
  if (!isObject(config) || !Array.isArray(warnings) || !warnings.every((w) => typeof w === "string")) {
    return undefined;
  }
  if (cleaned !== undefined && !isObject(cleaned)) return undefined;
  return { config, warnings, ...(cleaned ? { cleaned } : {}) };
}

/**
 * Removes the cache, for a config.json that must not be cached: the copy of an earlier text may
 * hold a secret the user has since moved out of the file into the environment. Never throws.
 */
export function dropCachedConfig(cacheFile: string): void {
  try {
    unlinkSync(cacheFile);
  } catch {
    // none (the usual case), or not ours to remove: nothing to do
  }
}

/**
 * Writes the cache atomically, mode 0600 (it holds config.json's secrets) in a folder made 0700.
 * The folder is made only inside an existing profile home. Throws; the caller decides to ignore it.
 */
export async function writeCachedConfig(
  cacheFile: string,
  key: ConfigCacheKey,
  validated: ValidatedConfig,
): Promise<void> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dirname(cacheFile), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  const { writeFileAtomic } = await import("../base/atomic-file.js");
  const entry: CacheEntry = { ...key, ...validated };
  await writeFileAtomic(cacheFile, JSON.stringify(entry), { mode: 0o600 });
}
