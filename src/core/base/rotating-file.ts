import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

export interface RotatingFileOptions {
  /** Rotate before a write would take the file past this size. Default 10 MB. */
  maxBytes?: number;
  /** Rotated files kept as <path>.1 … <path>.<keep>. Default 3. */
  keep?: number;
}

export interface RotatingFile {
  write(line: string): void;
  close(): void;
}

/**
 * An append-only log file rotated by size. Writes are synchronous so nothing is lost when the
 * process exits right after logging; log volume is low (a few lines per message).
 */
export function openRotatingFile(path: string, opts: RotatingFileOptions = {}): RotatingFile {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const keep = Math.max(1, opts.keep ?? 3);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd = openSync(path, "a", 0o600);
  let size = fstatSync(fd).size;
  // After close() the descriptor number may belong to another file: late lines are dropped.
  let closed = false;

  function rotate() {
    closeSync(fd);
    try {
      rmSync(`${path}.${keep}`, { force: true });
      for (let i = keep - 1; i >= 1; i--) {
        if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      }
      renameSync(path, `${path}.1`);
    } finally {
      // Whatever happened, keep a file open: a failed rotation must not stop logging.
      fd = openSync(path, "a", 0o600);
      size = fstatSync(fd).size;
    }
  }

  return {
    write(line) {
      if (closed) return;
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) {
        try {
          rotate();
        } catch {
          // rotate() reopened the file; appending past the limit beats losing lines.
        }
      }
      writeSync(fd, line);
      size += bytes;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
