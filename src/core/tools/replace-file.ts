import { realpath, stat } from "node:fs/promises";
import { writeFileAtomic } from "../atomic-file.js";

/**
 * Writes a file the user already has so that it is either the old or the new content, never
 * half of one: temp file and rename, keeping its mode and writing through a symlink to its target.
 */
export async function replaceFile(path: string, content: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  const target = info ? await realpath(path) : path;
  await writeFileAtomic(target, content, { mode: info ? info.mode & 0o777 : 0o644 });
}
