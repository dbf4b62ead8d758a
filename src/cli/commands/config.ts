import { ConfigError } from "../../core/config/load.js";
import { loadConfig } from "../../core/config/parse.js";
import { forbiddenKeyPath } from "../../core/config/read-config-file.js";
import { configJsonSchema } from "../../core/config/schema.js";
import { maskConfigSecrets } from "../../core/config/secret-paths.js";
import { FORBIDDEN_KEYS, updateConfigFile } from "../../core/config/update-file.js";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";

function print(value: unknown): void {
  process.stdout.write(typeof value === "string" ? `${value}\n` : `${JSON.stringify(value, null, 2)}\n`);
}

export async function schema(_ctx: CliContext): Promise<number> {
  print(configJsonSchema());
  return 0;
}

export async function validate(ctx: CliContext): Promise<number> {
  const file = ctx.basePaths.config;
  // Not existsSync: a dangling symlink is an error, never "does not exist".
  const loaded = loadConfig(file);
  if (!loaded.exists) {
    print(`${file} does not exist; the defaults apply (run kavilo onboard to create it)`);
    return 0;
  }
  for (const w of loaded.warnings) ctx.warn(w);
  print(`${file} is valid`);
  return 0;
}

function lookup(root: unknown, key: string): unknown {
  let node = root;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export async function get(ctx: CliContext, key: unknown, opts: { reveal?: boolean } = {}): Promise<number> {
  const { config } = ctx.config();
  // Masked as a whole, then looked up: a value is masked by where it sits (secret-paths.ts), the
  // same rules the self MCP server uses, whichever part of the config is asked for.
  const shown = opts.reveal ? config : maskConfigSecrets(config);
  const value = typeof key === "string" && key ? lookup(shown, key) : shown;
  if (value === undefined) throw new CliError(`no value at ${String(key)}`, 1);
  print(value);
  return 0;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function checkPath(path: string): void {
  if (!/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(path)) {
    throw new CliError(`invalid key "${path}": use a dotted path such as agents.defaults.model`, 2);
  }
  const forbidden = path.split(".").find((part) => FORBIDDEN_KEYS.has(part));
  if (forbidden) throw new CliError(`invalid key "${path}": the key ${forbidden} is not allowed`, 2);
}

/** The object holding the last segment of path in root, creating the missing ones when asked. */
function parentOf(root: Record<string, unknown>, path: string, create: boolean) {
  const parts = path.split(".");
  let node: Record<string, unknown> = root;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (child === undefined && create) node[part] = {};
    else if (child === null || typeof child !== "object" || Array.isArray(child)) {
      if (!create) return undefined;
      throw new CliError(`cannot set ${path}: ${part} is not an object`, 2);
    }
    node = node[part] as Record<string, unknown>;
  }
  return { node, leaf: parts.at(-1)! };
}

export async function set(ctx: CliContext, key: unknown, value: unknown): Promise<number> {
  const path = String(key);
  checkPath(path);
  const file = ctx.basePaths.config;
  const parsed = parseValue(String(value));
  const inValue = forbiddenKeyPath(parsed);
  if (inValue)
    throw new CliError(`invalid value for ${path}: the key ${inValue.split(".").at(-1)} is not allowed`, 2);
  try {
    // Validated in full under the lock before writing: a bad value never reaches the disk.
    await updateConfigFile(file, (next) => {
      const { node, leaf } = parentOf(next, path, true)!;
      node[leaf] = parsed;
    });
  } catch (err) {
    // `config set x.apiKey 1234` parses 1234 as a number; say how to keep it text.
    if (err instanceof ConfigError && typeof parsed !== "string" && /expected string/.test(err.detail)) {
      const quoted = `'${JSON.stringify(String(value))}'`;
      throw new ConfigError(err.file, err.keyPath, `${err.detail}; to set it as text, quote it: ${quoted}`);
    }
    throw err;
  }
  print(`set ${path}`);
  return 0;
}

export async function unset(ctx: CliContext, key: unknown): Promise<number> {
  const path = String(key);
  checkPath(path);
  const file = ctx.basePaths.config;
  await updateConfigFile(file, (next) => {
    const at = parentOf(next, path, false);
    if (!at || !Object.hasOwn(at.node, at.leaf)) throw new CliError(`no value at ${path} in ${file}`, 1);
    delete at.node[at.leaf];
  });
  print(`removed ${path}`);
  return 0;
}
