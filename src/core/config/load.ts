import { dirname, isAbsolute, join, resolve } from "node:path";
import type * as z from "zod";
import { jsonErrorAt } from "../base/json-error-at.js";
import { expandHome } from "../base/paths.js";
import { missingMcpVarWarnings } from "./mcp-vars.js";
import {
  ConfigFileProblem,
  forbiddenKeyPath,
  MAX_CONFIG_DEPTH,
  nestsDeeperThan,
  readConfigText,
} from "./read-config-file.js";
import { type Config, configSchema } from "./schema.js";

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

function keyPathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .join(".")
    .replace(/\.\[/g, "[");
}

function removeKeys(root: unknown, path: readonly PropertyKey[], keys: string[]): void {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== "object") return;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  if (node && typeof node === "object") {
    for (const k of keys) delete (node as Record<string, unknown>)[k];
  }
}

/**
 * Validates a raw config. Unknown keys are warnings (and stay in the file); anything else
 * is a ConfigError naming the key path and what was expected.
 */
export function parseConfig(
  raw: unknown,
  file: string,
): { config: Config; warnings: string[]; cleaned?: Record<string, unknown> } {
  // Checked here, not only when reading the file: a `config set` value may bring them too.
  if (nestsDeeperThan(raw, MAX_CONFIG_DEPTH)) {
    throw new ConfigError(file, undefined, `nested more than ${MAX_CONFIG_DEPTH} levels deep; fix the file`);
  }
  const forbidden = forbiddenKeyPath(raw);
  if (forbidden) {
    const key = forbidden.split(".").at(-1);
    throw new ConfigError(file, forbidden, `the key ${key} is not allowed; remove it`);
  }
  const warnings: string[] = missingMcpVarWarnings(raw, process.env, file);
  let result = configSchema.safeParse(raw);
  if (!result.success) {
    const unknown = result.error.issues.filter((i) => i.code === "unrecognized_keys");
    const other = result.error.issues.filter((i) => i.code !== "unrecognized_keys");
    if (other.length > 0) throw toConfigError(other, file);
    const stripped = structuredClone(raw);
    for (const issue of unknown) {
      const keys = (issue as z.core.$ZodIssueUnrecognizedKeys).keys;
      for (const key of keys) {
        // The block Claude Desktop and Cursor use, pasted at the top: say where kavilo reads it.
        if (key === "mcpServers" && issue.path.length === 0) {
          warnings.push(
            `top-level "mcpServers" in ${file} is ignored (kept): kavilo reads MCP servers from tools.mcpServers; move the block under "tools", or run kavilo mcp import ${file}`,
          );
          continue;
        }
        warnings.push(`unknown key ${keyPathOf([...issue.path, key])} in ${file} (kept, ignored)`);
      }
      removeKeys(stripped, issue.path, keys);
    }
    result = configSchema.safeParse(stripped);
    if (!result.success) throw toConfigError(result.error.issues, file);
    return { config: result.data, warnings, cleaned: stripped as Record<string, unknown> };
  }
  return { config: result.data, warnings };
}

function toConfigError(issues: readonly z.core.$ZodIssue[], file: string): ConfigError {
  const first = issues[0]!;
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return new ConfigError(file, keyPathOf(first.path) || "(root)", `${first.message}${more}`);
}

/** Loads config.json from a profile home. A missing file is the defaults. */
export function loadConfig(file: string): LoadedConfig {
  let text: string | undefined;
  try {
    text = readConfigText(file);
  } catch (err) {
    if (err instanceof ConfigFileProblem) throw new ConfigError(file, undefined, err.detail);
    throw err;
  }
  const exists = text !== undefined;
  let raw: Record<string, unknown> = {};
  if (text !== undefined) {
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
    raw = parsed as Record<string, unknown>;
  }
  const { config, warnings, cleaned } = parseConfig(raw, file);
  return { config, raw, path: file, exists, warnings, ...(cleaned ? { cleaned } : {}) };
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
