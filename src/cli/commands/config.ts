import { existsSync } from "node:fs";
import { loadConfig, openConfigStore, parseConfig } from "../../core/config/load.js";
import { configJsonSchema } from "../../core/config/schema.js";
import { redactSecrets } from "../../core/redact.js";
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
  if (!existsSync(file)) {
    print(`${file} does not exist; the defaults apply (run kavilo onboard to create it)`);
    return 0;
  }
  const loaded = loadConfig(file);
  for (const w of loaded.warnings) ctx.warn(w);
  print(`${file} is valid`);
  return 0;
}

function lookup(root: unknown, key: string): unknown {
  let node = root;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object" || !(part in node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export async function get(ctx: CliContext, key: unknown, opts: { reveal?: boolean } = {}): Promise<number> {
  const { config } = ctx.config();
  const value = typeof key === "string" && key ? lookup(config, key) : config;
  if (value === undefined) throw new CliError(`no value at ${String(key)}`, 1);
  print(opts.reveal ? value : redactSecrets(value));
  return 0;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function set(ctx: CliContext, key: unknown, value: unknown): Promise<number> {
  const path = String(key);
  if (!/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(path)) {
    throw new CliError(`invalid key "${path}": use a dotted path such as agents.defaults.model`, 2);
  }
  const file = ctx.basePaths.config;
  // Validate the would-be file first; a bad value never reaches the disk.
  const current = existsSync(file) ? loadConfig(file).raw : {};
  const next = structuredClone(current);
  const parts = path.split(".");
  let node: Record<string, unknown> = next;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (child === undefined) node[part] = {};
    else if (child === null || typeof child !== "object" || Array.isArray(child)) {
      throw new CliError(`cannot set ${path}: ${part} is not an object`, 2);
    }
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = parseValue(String(value));
  parseConfig(next, file);
  (await openConfigStore(file)).set(path, parseValue(String(value)));
  print(`set ${path}`);
  return 0;
}
