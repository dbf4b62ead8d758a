import { constants, existsSync } from "node:fs";
import { type FileHandle, lstat, mkdir, open, readdir, readlink, realpath, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ToolError } from "./types.js";
import { fsToolError, isInside, shortPath } from "./workspace-guard.js";

/**
 * Where an opened file may be: inside one of `allow` (real paths; undefined: anywhere) and inside
 * none of `deny`. Checked against what was actually opened, after opening it, so a folder swapped
 * for a symlink between the path check and the open cannot lead the tools outside.
 */
export interface Fence {
  allow?: readonly string[];
  deny: readonly string[];
  /** The path as the model wrote it, for messages. */
  shown: string;
}

// On Linux every open file has a name in /proc/self/fd that the kernel keeps exact: its real path
// now, and a folder's entries reached through it are looked up in that very folder (like openat).
const PROC_FD = process.platform === "linux" && existsSync("/proc/self/fd");

/** A path that reaches `name` inside the opened folder itself, whatever its path now leads to. */
export function inDir(dir: VerifiedDir, name = ""): string {
  const base = PROC_FD ? `/proc/self/fd/${dir.handle.fd}` : dir.real;
  return name ? join(base, name) : base;
}

export interface VerifiedDir {
  handle: FileHandle;
  /** Its real path, as the kernel reports it after opening. */
  real: string;
}

/** Whether a real path lies within the fence. */
export function allowed(real: string, fence: Fence): boolean {
  if (fence.allow && !fence.allow.some((root) => isInside(root, real))) return false;
  return !fence.deny.some((root) => isInside(root, real));
}

/** The error for a path that led elsewhere once opened than when it was checked. */
export function moved(fence: Fence): ToolError {
  return new ToolError(
    `${shortPath(fence.shown)} changed while it was being opened and now leads outside the allowed folders; refusing`,
  );
}

/** The real path of what `handle` is open on; on other systems, checked by device and inode. */
async function realOf(handle: FileHandle, path: string): Promise<string | undefined> {
  if (PROC_FD) {
    const real = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    return real?.endsWith(" (deleted)") ? undefined : real;
  }
  const [opened, now] = await Promise.all([handle.stat(), stat(path).catch(() => undefined)]);
  if (!now || now.dev !== opened.dev || now.ino !== opened.ino) return undefined;
  return realpath(path).catch(() => undefined);
}

/**
 * Opens `path` (not following a symlink in its last part when the fence restricts it) and checks
 * that what was opened lies within the fence. A FIFO never blocks the open.
 */
export async function openChecked(
  path: string,
  flags: number,
  fence: Fence,
  mode?: number,
): Promise<FileHandle> {
  const noFollow = fence.allow ? constants.O_NOFOLLOW : 0;
  let handle: FileHandle;
  try {
    handle = await open(path, flags | noFollow | constants.O_NONBLOCK, mode);
  } catch (err) {
    // ELOOP under O_NOFOLLOW: the last part became a symlink after the check.
    if ((err as NodeJS.ErrnoException).code === "ELOOP") throw moved(fence);
    throw err;
  }
  const real = await realOf(handle, path);
  if (real === undefined || !allowed(real, fence)) {
    await handle.close();
    throw moved(fence);
  }
  return handle;
}

/** Opens a folder and checks it lies within the fence. */
export async function openDirChecked(path: string, fence: Fence): Promise<VerifiedDir> {
  const handle = await openChecked(path, constants.O_RDONLY | constants.O_DIRECTORY, fence);
  const real = PROC_FD ? await readlink(`/proc/self/fd/${handle.fd}`) : await realpath(path);
  return { handle, real };
}

/**
 * Opens folder `path`, creating the missing ones one at a time, each inside the one opened and
 * checked before it: no folder is ever made outside the fence, even while another process swaps
 * one on the way for a symlink.
 */
export async function makeDirsChecked(path: string, fence: Fence): Promise<VerifiedDir> {
  const missing: string[] = [];
  let existing = path;
  while (
    !(await lstat(existing).then(
      () => true,
      () => false,
    ))
  ) {
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(basename(existing));
    existing = parent;
  }
  let dir = await openDirChecked(existing, fence);
  for (const name of missing) {
    try {
      await mkdir(inDir(dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        await dir.handle.close();
        throw err;
      }
    }
    const next = await openDirChecked(inDir(dir, name), fence).finally(() => dir.handle.close());
    dir = next;
  }
  return dir;
}

function hardLinked(shown: string, links: number): ToolError {
  return new ToolError(
    `${shortPath(shown)} has ${links} hard links (one may be a file outside the workspace); the file tools refuse it unless tools.allowHardLinks is set`,
  );
}

/**
 * Whether a file with several hard links is also a file inside a deny root (a session file linked
 * into the workspace): compared by device and inode with what the deny roots hold, a few levels deep.
 */
async function linkedIntoDeny(info: { dev: number; ino: number }, deny: readonly string[]): Promise<boolean> {
  const walk = async (dir: string, depth: number): Promise<boolean> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory() && depth < 3 && (await walk(path, depth + 1))) return true;
      if (!e.isFile()) continue;
      const st = await lstat(path).catch(() => undefined);
      if (st && st.dev === info.dev && st.ino === info.ino) return true;
    }
    return false;
  };
  for (const root of deny) if (await walk(root, 0)) return true;
  return false;
}

/**
 * Opens a regular file for reading through the fence. A folder, a FIFO or a device is refused, and
 * so is a file with more than one hard link unless `allowHardLinks`.
 */
export async function openRegularFile(
  path: string,
  fence: Fence,
  allowHardLinks: boolean,
): Promise<FileHandle> {
  const handle = await openChecked(path, constants.O_RDONLY, fence).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new ToolError(`File not found: ${shortPath(fence.shown)}`);
    throw fsToolError(err, fence.shown);
  });
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      throw new ToolError(`${shortPath(fence.shown)} is a directory; use list_directory`);
    if (!info.isFile()) throw new ToolError(`${shortPath(fence.shown)} is not a regular file`);
    if (info.nlink > 1 && !allowHardLinks) throw hardLinked(fence.shown, info.nlink);
    if (info.nlink > 1 && (await linkedIntoDeny(info, fence.deny))) {
      throw new ToolError(
        `${shortPath(fence.shown)} is a hard link to a file in kavilo's sessions folder; the file tools may not read or change chat histories`,
      );
    }
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}
