import { chmod, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { jsonErrorAt } from "./json-error-at.js";

export interface AtomicWriteOptions {
  /** File mode; token files use 0o600. */
  mode?: number;
}

/**
 * Writes a file so that readers see either the old or the new content, never a torn one:
 * temp file in the same directory, fsync, rename, fsync of the directory.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  // Profile folders are private: only new ones get this mode, a folder that exists keeps its own.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const mode = options.mode ?? 0o644;
  // Not a static import of node:crypto: its ES module namespace runs every export's getter (webcrypto's).
  const { randomBytes } = process.getBuiltinModule("node:crypto");
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await handle.close();
  // open() honours the umask; make the mode exact.
  await chmod(tmp, mode);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  const dirHandle = await open(dir, "r").catch(() => undefined);
  if (dirHandle) {
    await dirHandle.sync().catch(() => {});
    await dirHandle.close();
  }
}

export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}) {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** Reads a JSON file; undefined when it does not exist. Parse errors are thrown with the path. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    // Not V8's message: it quotes the text around the error, which may be part of a token.
    const at = jsonErrorAt(text);
    throw new Error(`${path} is not valid JSON${at ? ` at line ${at.line}, column ${at.column}` : ""}`);
  }
}
