import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  type Stats,
  statSync,
} from "node:fs";

/** Why config.json cannot be used as a file, in words; thrown by readConfigText. */
export class ConfigFileProblem extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = "ConfigFileProblem";
  }
}

/** Largest config.json read: a link to a disk image must not be read into memory. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Deepest nesting config.json may have; the real schema needs fewer than ten levels. */
export const MAX_CONFIG_DEPTH = 64;

function kindOf(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a regular file";
}

function problemOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ELOOP") return "it is a symlink loop";
  if (code === "EISDIR") return "it is a directory, not a file";
  return err instanceof Error ? err.message : String(err);
}

/**
 * The text of config.json, or undefined when there is no such entry at all. Anything else that is
 * not a readable regular file is a ConfigFileProblem: a symlink loop, a dangling symlink (never
 * "missing": writing through it would create its target), a FIFO, a socket or a device. The file
 * is opened non-blocking and checked again after opening, so a FIFO swapped in meanwhile cannot
 * hang the read. A leading byte-order mark is dropped.
 */
export function readConfigText(file: string): string | undefined {
  let link: Stats;
  try {
    link = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigFileProblem(`cannot read: ${problemOf(err)}`);
  }
  let info = link;
  if (link.isSymbolicLink()) {
    try {
      info = statSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        const target = (() => {
          try {
            return readlinkSync(file);
          } catch {
            return "?";
          }
        })();
        throw new ConfigFileProblem(
          `it is a symlink to ${target}, which does not exist; fix the link or remove it`,
        );
      }
      throw new ConfigFileProblem(`cannot read: ${problemOf(err)}`);
    }
  }
  const kind = kindOf(info);
  if (kind) throw new ConfigFileProblem(`cannot read: it is ${kind}, not a file`);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ConfigFileProblem(`cannot read: ${problemOf(err)}`);
  }
  try {
    const stats = fstatSync(fd);
    const opened = kindOf(stats);
    if (opened) throw new ConfigFileProblem(`cannot read: it is ${opened}, not a file`);
    if (stats.size > MAX_CONFIG_BYTES) {
      const mb = Math.round(stats.size / (1024 * 1024));
      throw new ConfigFileProblem(
        `cannot read: it is ${mb} MB; a config.json is at most 4 MB (is it the right file?)`,
      );
    }
    const bytes = readFileSync(fd);
    // Windows editors may save UTF-16 with a byte-order mark: named, as JSON's error would not.
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      throw new ConfigFileProblem(
        "it is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8",
      );
    }
    const text = bytes.toString("utf8");
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    if (err instanceof ConfigFileProblem) throw err;
    throw new ConfigFileProblem(`cannot read: ${problemOf(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** Object keys no config path may name: they reach Object.prototype instead of the config. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The key path of the first FORBIDDEN_KEYS key anywhere in a parsed JSON value, or undefined.
 * JSON.parse keeps `"__proto__"` as an own key; copying or validating it would set a prototype.
 */
export function forbiddenKeyPath(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    for (const [key, child] of Object.entries(node)) {
      const at = Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(node) && FORBIDDEN_KEYS.has(key)) return at;
      stack.push([child, at]);
    }
  }
  return undefined;
}

/** Whether a parsed JSON value nests deeper than `max` (counted without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
