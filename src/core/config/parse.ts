import type * as z from "zod";
import {
  ConfigError,
  checkConfigShape,
  type LoadedConfig,
  parseConfigJson,
  readConfigFileText,
  type ValidatedConfig,
} from "./load.js";
import { missingMcpVarWarnings } from "./mcp-vars.js";
import { type Config, configSchema } from "./schema.js";
import { provideConfigValidator } from "./validator-slot.js";

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

function toConfigError(issues: readonly z.core.$ZodIssue[], file: string): ConfigError {
  const first = issues[0]!;
  const more =
    issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  return new ConfigError(file, keyPathOf(first.path) || "(root)", `${first.message}${more}`);
}

/**
 * The schema's part of validating a config whose shape checkConfigShape passed: unknown keys are
 * warnings (and stay in the file); anything else is a ConfigError naming the key path and what was
 * expected. Leaves out the warnings about unset `${VAR}`s, which depend on the environment.
 */
export function validateConfig(raw: unknown, file: string): ValidatedConfig {
  let result = configSchema.safeParse(raw);
  if (result.success) return { config: result.data, warnings: [] };
  const unknown = result.error.issues.filter((i) => i.code === "unrecognized_keys");
  const other = result.error.issues.filter((i) => i.code !== "unrecognized_keys");
  if (other.length > 0) throw toConfigError(other, file);
  const warnings: string[] = [];
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

provideConfigValidator(validateConfig);

/**
 * Validates a raw config in full: the shape checks, the schema, and the warnings about `${VAR}`s
 * that are not set. Unknown keys are warnings (and stay in the file); anything else is a ConfigError.
 */
export function parseConfig(
  raw: unknown,
  file: string,
): { config: Config; warnings: string[]; cleaned?: Record<string, unknown> } {
  // Checked here, not only when reading the file: a `config set` value may bring them too.
  checkConfigShape(raw, file);
  const envWarnings = missingMcpVarWarnings(raw, process.env, file);
  const { config, warnings, cleaned } = validateConfig(raw, file);
  return { config, warnings: [...envWarnings, ...warnings], ...(cleaned ? { cleaned } : {}) };
}

/** Loads and validates config.json from a profile home, without the cache. A missing file is the defaults. */
export function loadConfig(file: string): LoadedConfig {
  const text = readConfigFileText(file);
  const raw = parseConfigJson(text, file);
  const { config, warnings, cleaned } = parseConfig(raw, file);
  return { config, raw, path: file, exists: text !== undefined, warnings, ...(cleaned ? { cleaned } : {}) };
}
