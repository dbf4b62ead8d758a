import { randomBytes } from "node:crypto";
import { lstat, open, realpath, rename, unlink } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { ToolError } from "./types.js";
import { type Fence, inDir, makeDirsChecked, moved, openDirChecked, openRegularFile } from "./verified-fs.js";
import { shortPath } from "./workspace-guard.js";

export interface ReplaceOptions {
  fence: Fence;
  allowHardLinks: boolean;
  /** Create missing parent folders (inside the fence). */
  makeParents?: boolean;
}

/**
 * Writes a file so that an existing one is either the old or the new content, never half of one: a
 * temp file in the same (opened and checked) folder, then a rename, keeping an existing file's mode.
 * A new file gets the usual mode (the umask applies). A write that fails removes its temp file, so
 * nothing is left behind, inside or outside. Returns whether the file was created.
 */
export async function replaceFile(path: string, content: string, opts: ReplaceOptions): Promise<boolean> {
  const { fence } = opts;
  const dir = opts.makeParents
    ? await makeDirsChecked(dirname(path), fence)
    : await openDirChecked(dirname(path), fence);
  try {
    const target = inDir(dir, basename(path));
    const info = await lstat(target).catch(() => undefined);
    if (info?.isSymbolicLink()) {
      // Restricted, the checked path was already real: a link now is a swap. Unrestricted, the
      // link's target is written, as an editor does.
      if (fence.allow) throw moved(fence);
      const real = await realpath(path).catch(() => {
        throw new ToolError(`${shortPath(fence.shown)} is a broken symlink; refusing to write through it`);
      });
      return await replaceFile(real, content, { ...opts, makeParents: false });
    }
    if (info?.isDirectory()) throw new ToolError(`${shortPath(fence.shown)} is a directory`);
    let mode: number | undefined;
    if (info) {
      const existing = await openRegularFile(target, fence, opts.allowHardLinks);
      mode = (await existing.stat().finally(() => existing.close())).mode & 0o777;
    }
    // A short name: a long file name plus a suffix could pass the 255-byte limit.
    const tmp = inDir(dir, `.kavilo-${randomBytes(6).toString("hex")}.tmp`);
    let placed = false;
    try {
      const handle = await open(tmp, "wx", mode ?? 0o666);
      try {
        await handle.writeFile(content);
        await handle.sync();
        if (mode !== undefined) await handle.chmod(mode);
      } finally {
        await handle.close();
      }
      await rename(tmp, target);
      placed = true;
    } finally {
      if (!placed) await unlink(tmp).catch(() => {});
    }
    await dir.handle.sync().catch(() => {});
    return info === undefined;
  } finally {
    await dir.handle.close();
  }
}
