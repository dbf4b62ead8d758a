import { lstat, realpath, stat, writeFile } from "node:fs/promises";
import { writeFileAtomic } from "../base/atomic-file.js";

/**
 * Writes a file so that an existing one is either the old or the new content, never half of one:
 * temp file and rename, keeping its mode and writing through a symlink to its target. A new file is
 * created exclusively with the usual mode (the umask applies); there is nothing to protect yet.
 */
export async function replaceFile(path: string, content: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info) {
    await writeFileAtomic(await realpath(path), content, { mode: info.mode & 0o777 });
    return;
  }
  try {
    await writeFile(path, content, { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    // A dangling symlink (its target is created through it), or a file that appeared meanwhile.
    if ((await lstat(path)).isSymbolicLink()) await writeFile(path, content);
    else await replaceFile(path, content);
  }
}
