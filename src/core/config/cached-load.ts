import {
  checkConfigShape,
  type LoadedConfig,
  parseConfigJson,
  readConfigFileText,
  type ValidatedConfig,
} from "./load.js";
import { missingMcpVarWarnings } from "./mcp-vars.js";
import {
  type ConfigCacheKey,
  configCacheKey,
  dropCachedConfig,
  readCachedConfig,
  writeCachedConfig,
} from "./validated-cache.js";
import { loadedConfigValidator } from "./validator-slot.js";

// loadConfig (parse.ts) for the commands that run often: a config.json validated before by this
// build is taken from the cache, and zod (parse.ts) is loaded only on a miss. No zod import here.

export interface ConfigCacheOptions {
  /** The cache file (Paths.configCache). */
  file: string;
  /** This build's id; undefined (running from source) turns the cache off. */
  buildId: string | undefined;
  /** One line for --debug. */
  debug(line: string): void;
}

/** config.json as the command found it when it started: its text and what loading it gave. */
export interface ConfigSnapshot {
  /** False when the file could not be read (the error says why). */
  read: boolean;
  text: string | undefined;
  outcome: { loaded: LoadedConfig } | { error: unknown };
}

function assemble(
  file: string,
  text: string | undefined,
  raw: Record<string, unknown>,
  validated: ValidatedConfig,
): LoadedConfig {
  // Computed on every run, hit or miss (the environment may have changed), and first, as parseConfig does.
  const warnings = [...missingMcpVarWarnings(raw, process.env, file), ...validated.warnings];
  const { config, cleaned } = validated;
  return { config, raw, path: file, exists: text !== undefined, warnings, ...(cleaned ? { cleaned } : {}) };
}

function lookUp(
  file: string,
  text: string | undefined,
  cache: ConfigCacheOptions,
): { raw: Record<string, unknown>; key?: ConfigCacheKey; hit?: ValidatedConfig } {
  const raw = parseConfigJson(text, file);
  checkConfigShape(raw, file);
  if (cache.buildId === undefined) return { raw };
  const key = configCacheKey(cache.buildId, file, text, raw, process.env);
  if (key) return { raw, key, hit: readCachedConfig(cache.file, key) };
  // Not cacheable (a ${VAR} this run fills in): an earlier text's copy must not stay behind, as it
  // may hold the very secret the user moved out of config.json into the environment.
  dropCachedConfig(cache.file);
  return { raw };
}

/** Loads config.json's text: from the cache when this build validated the same input before. */
async function loadText(
  file: string,
  text: string | undefined,
  cache: ConfigCacheOptions,
): Promise<LoadedConfig> {
  const { raw, key, hit } = lookUp(file, text, cache);
  if (hit) return assemble(file, text, raw, hit);
  const { validateConfig } = await import("./parse.js");
  // An invalid config throws here and is never cached: each run reports it.
  const validated = validateConfig(raw, file);
  if (key) {
    await writeCachedConfig(cache.file, key, validated).catch((err: unknown) =>
      cache.debug(`config cache not written: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
  return assemble(file, text, raw, validated);
}

/** Reads and loads config.json once, at the command's start; errors are kept for `config()`. */
export async function snapshotConfig(file: string, cache: ConfigCacheOptions): Promise<ConfigSnapshot> {
  let text: string | undefined;
  try {
    text = readConfigFileText(file);
  } catch (error) {
    await import("./parse.js");
    return { read: false, text: undefined, outcome: { error } };
  }
  try {
    return { read: true, text, outcome: { loaded: await loadText(file, text, cache) } };
  } catch (error) {
    // Loaded, so that a fixed file can be validated in `currentConfig` without waiting.
    await import("./parse.js");
    return { read: true, text, outcome: { error } };
  }
}

/**
 * config.json now: the snapshot while the text is the same (read again: the command may have
 * written it since, as onboard does), else validated again. That needs the parser without waiting
 * for it: a process that wrote config.json has loaded it (update-file.ts). One that has not, and
 * finds the file changed by someone else since it started, keeps the snapshot (--debug says so).
 */
export function currentConfig(
  file: string,
  snapshot: ConfigSnapshot,
  cache: ConfigCacheOptions,
): LoadedConfig {
  const text = readConfigFileText(file);
  const settled = (): LoadedConfig => {
    if ("error" in snapshot.outcome) throw snapshot.outcome.error;
    return snapshot.outcome.loaded;
  };
  if (snapshot.read && text === snapshot.text) return settled();
  const { raw, hit } = lookUp(file, text, cache);
  if (hit) return assemble(file, text, raw, hit);
  const validate = loadedConfigValidator();
  if (validate) return assemble(file, text, raw, validate(raw, file));
  cache.debug(`${file} changed after the command started; using the config it had then`);
  return settled();
}
