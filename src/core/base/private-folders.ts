import { constants, lstatSync } from "node:fs";
import { open } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import type { Paths } from "./paths.js";

/**
 * The folders kavilo makes in a profile: its home and what it creates there, and the sessions
 * folder. The workspace only where kavilo chose it (`<home>/workspace`): a folder you named is yours.
 */
export function ownFolders(paths: Paths): string[] {
  const out = [
    paths.home,
    paths.sessions,
    paths.auth,
    paths.mcpAuth,
    paths.usage,
    paths.logs,
    paths.media,
    paths.cronDir,
    dirname(paths.history),
    dirname(paths.inbox),
  ];
  if (resolve(paths.workspace) === resolve(paths.home, "workspace")) out.push(paths.workspace);
  return out;
}

/** A real folder (not a link), owned by this user, that group or others can access. */
function needsTightening(dir: string, uid: number | undefined): boolean {
  try {
    const info = lstatSync(dir, { throwIfNoEntry: false });
    if (!info?.isDirectory()) return false;
    return (info.mode & 0o077) !== 0 && (uid === undefined || info.uid === uid);
  } catch {
    return false; // not reachable: nothing to change
  }
}

/**
 * Makes kavilo's existing folders 0700 where group or others have any access (new ones are made
 * 0700 already; older ones kept the umask's mode). Only a real folder this user owns is changed,
 * through a handle opened without following a symlink, so a link swapped in never makes kavilo
 * chmod what it points to. One that cannot be changed is left as it is; nothing is changed when the
 * profile home is the user's home itself. Returns what changed.
 */
export async function tightenOwnFolders(paths: Paths): Promise<string[]> {
  // A profile home that is the user's own home (KAVILO_HOME=~): its logs/ or media/ are the user's.
  if (process.platform === "win32" || resolve(paths.home) === resolve(homedir())) return [];
  const uid = process.getuid?.();
  const changed: string[] = [];
  for (const dir of ownFolders(paths)) {
    // Every run comes here: one lstat per folder, and a handle only for a folder that needs the change.
    if (!needsTightening(dir, uid)) continue;
    const flags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
    const handle = await open(dir, flags).catch(() => undefined);
    if (!handle) continue;
    try {
      const info = await handle.stat();
      if ((info.mode & 0o077) === 0 || (uid !== undefined && info.uid !== uid)) continue;
      await handle.chmod(0o700);
      changed.push(dir);
    } catch {
      // not ours to change after all (a read-only mount): doctor reports it
    } finally {
      await handle.close();
    }
  }
  return changed;
}
