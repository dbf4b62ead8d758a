import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isSecretKey } from "../../../core/base/redact.js";
import type { SelfDeps } from "./self-tool.js";

/** Shorter values are left alone: masking "true" or "abc" everywhere would only add noise. */
const MIN_SECRET_LENGTH = 8;

/** A path segment that reads like a key: long, random-looking, letters and digits mixed. */
export function looksLikeKeySegment(raw: string): boolean {
  let segment = raw;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    // a stray % : judged as written
  }
  return /^[A-Za-z0-9_=-]{16,}$/.test(segment) && /\d/.test(segment) && /[A-Za-z]/.test(segment);
}

/** Key-like path segments and query values of the configured MCP server URLs. */
function urlSecrets(url: string, out: Set<string>): void {
  try {
    const u = new URL(url);
    for (const seg of u.pathname.split("/")) if (looksLikeKeySegment(seg)) out.add(seg);
    for (const [name, value] of u.searchParams) {
      if (isSecretKey(name) || looksLikeKeySegment(value)) out.add(value);
    }
  } catch {
    // not a URL: nothing to learn
  }
}

/** A command-line flag whose next argument is a secret: `--token`, `--api-key`. */
function isSecretFlag(arg: unknown): boolean {
  return typeof arg === "string" && /^--?[A-Za-z][\w-]*$/.test(arg) && isSecretKey(arg.replace(/^-+/, ""));
}

function collect(value: unknown, under: boolean, out: Set<string>): void {
  if (typeof value === "string") {
    if (!under) return;
    out.add(value);
    // "Bearer abc...": the credential alone may appear elsewhere.
    const parts = value.trim().split(/\s+/);
    if (parts.length > 1) out.add(parts[parts.length - 1] ?? "");
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      collect(v, under || isSecretFlag(value[i - 1]), out);
      // --api-key=abc
      const inline = typeof v === "string" ? /^--?([\w-]+)=(.+)$/.exec(v) : null;
      if (inline?.[1] && inline[2] && isSecretKey(inline[1])) out.add(inline[2]);
    });
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) collect(v, under || isSecretKey(k), out);
  }
}

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
 * Every secret value this profile actually holds: under secret-looking keys of config.json (with
 * its env overlays) and of the token files in mcp-auth/. Read once per tool call, so a token
 * saved a moment ago is known too. Longest first, so a secret containing another is masked whole.
 */
export async function knownSecrets(deps: SelfDeps): Promise<string[]> {
  const found = new Set<string>();
  let mcpAuth = deps.basePaths.mcpAuth;
  try {
    const { config, paths } = deps.config();
    collect(config, false, found);
    for (const server of Object.values(config.tools.mcpServers))
      if (server.type === "http") urlSecrets(server.url, found);
    mcpAuth = paths.mcpAuth;
  } catch {
    // A broken config.json has no values to offer; the tool reports the error itself.
  }
  for (const file of await jsonFilesUnder(mcpAuth)) {
    try {
      collect(JSON.parse(await readFile(file, "utf8")) as unknown, false, found);
    } catch {
      // unreadable or torn: nothing to learn from it
    }
  }
  return [...found].filter((s) => s.length >= MIN_SECRET_LENGTH);
}
