import { dirname, isAbsolute, join, resolve } from "node:path";
import { jsonErrorAt } from "../base/json-error-at.js";
import { expandHome } from "../base/paths.js";
import {
  ConfigFileProblem,
  forbiddenKeyPath,
  MAX_CONFIG_DEPTH,
  nestsDeeperThan,
  readConfigText,
} from "./read-config-file.js";
import type { Config } from "./schema.js";

// No zod here (not even through an import): the one-shot path loads this module. The parser is
// parse.ts, loaded only when config.json is not in the validated-config cache (cached-load.ts).

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly keyPath: string | undefined,
    readonly detail: string,
  ) {
    super(`${file}${keyPath ? ` at ${keyPath}` : ""}: ${detail}`);
    this.name = "ConfigError";
  }
}

export interface LoadedConfig {
  config: Config;
  /** What the file holds, unknown keys included. */
  raw: Record<string, unknown>;
  path: string;
  exists: boolean;
  warnings: string[];
  /** The file without the unknown keys the warnings name; present only when there were some. */
  cleaned?: Record<string, unknown>;
}

/**
 * What validating a config's content gives, nothing in it taken from the environment except the
 * `${VAR}`s of its MCP servers: what the validated-config cache keeps.
 */
export interface ValidatedConfig {
  config: Config;
  /** Unknown keys, each named once. */
  warnings: string[];
  cleaned?: Record<string, unknown>;
}

/** The text of config.json (undefined when there is none). File problems are a ConfigError. */
export function readConfigFileText(file: string): string | undefined {
  try {
    return readConfigText(file);
  } catch (err) {
    if (err instanceof ConfigFileProblem) throw new ConfigError(file, undefined, err.detail);
    throw err;
  }
}

/** config.json's text as a JSON object ({} when there is no file); anything else is a ConfigError. */
export function parseConfigJson(text: string | undefined, file: string): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not V8's message: it quotes the text around the error, which may be part of a key.
    const at = jsonErrorAt(text);
    const where = at ? ` at line ${at.line}, column ${at.column}` : "";
    throw new ConfigError(file, undefined, `not valid JSON${where}; fix or remove the file`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(file, undefined, "expected a JSON object at the top level");
  }
  return parsed as Record<string, unknown>;
}

/**
 * The checks that come before the schema: too deep a nesting, or a key that would reach
 * Object.prototype. Run on every read, and on every value `config set` brings.
 */
export function checkConfigShape(raw: unknown, file: string): void {
  if (nestsDeeperThan(raw, MAX_CONFIG_DEPTH)) {
    throw new ConfigError(file, undefined, `nested more than ${MAX_CONFIG_DEPTH} levels deep; fix the file`);
  }
  const forbidden = forbiddenKeyPath(raw);
  if (forbidden) {
    const key = forbidden.split(".").at(-1);
    throw new ConfigError(file, forbidden, `the key ${key} is not allowed; remove it`);
  }
}

/** The workspace directory of a config, absolute. */
export function workspaceOf(config: Config, home: string): string {
  const ws = config.agents.defaults.workspace;
  if (!ws) return join(home, "workspace");
  const expanded = expandHome(ws);
  return isAbsolute(expanded) ? expanded : resolve(home, expanded);
}

/**
 * Creates the workspace folder when missing. A path that cannot be made (a file in the way,
 * no permission, a read-only disk) is a ConfigError naming the key that chose it.
 */
export async function ensureWorkspaceDir(workspace: string, configFile: string): Promise<void> {
  const { mkdir, stat } = await import("node:fs/promises");
  let code: string | undefined;
  try {
    // One folder at a time, not mkdir's recursive mode: that spins forever where an existing
    // parent refuses a child with ENOENT (/proc/x, /sys/x).
    const missing: string[] = [];
    for (
      let at = workspace;
      !(await stat(at).then(
        () => true,
        () => false,
      ));
      at = dirname(at)
    ) {
      if (dirname(at) === at) break;
      missing.unshift(at);
    }
    for (const dir of missing) {
      await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      });
    }
    if (!(await stat(workspace)).isDirectory()) code = "ENOTDIR";
  } catch (err) {
    code = (err as NodeJS.ErrnoException).code ?? "unknown error";
  }
  if (code === undefined) return;
  const why: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "permission denied",
    EEXIST: "a file is in the way",
    ENOTDIR: "a file is in the way",
    EROFS: "read-only file system",
    ENOSPC: "disk full",
    ENOENT: "the file system there does not allow new folders",
  };
  throw new ConfigError(
    configFile,
    "agents.defaults.workspace",
    `cannot create the workspace ${workspace} (${why[code] ?? code}); set it to a folder you can write`,
  );
}
