import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";

/** Largest inbound file kavilo keeps (Telegram's Bot API caps downloads at 20 MB too). */
export const MAX_MEDIA_BYTES = 20 * 1024 * 1024;

const mb = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * The note the agent gets in place of a file kavilo did not download, so it can tell the user
 * instead of answering as if nothing had been sent.
 */
export function skippedFileNote(name: string, reason: { size: number } | { error: string }): string {
  return "size" in reason
    ? `[file ${name} (${mb(reason.size)}) was not downloaded: larger than the ${mb(MAX_MEDIA_BYTES)} limit]`
    : `[file ${name} could not be downloaded: ${reason.error}]`;
}

/**
 * Saves downloaded bytes under the profile's media/ with a unique name, so two files called
 * "image.png" from different chats never overwrite each other.
 */
export async function saveMedia(
  mediaDir: string,
  prefix: string,
  suggestedName: string,
  data: Uint8Array,
): Promise<string> {
  await mkdir(mediaDir, { recursive: true, mode: 0o700 });
  const safe =
    basename(suggestedName)
      .replace(/[^\w.-]+/g, "_")
      .slice(-80) || "file";
  const ext = extname(safe);
  const stem = safe.slice(0, safe.length - ext.length) || "file";
  const unique = `${prefix}-${Date.now()}-${randomBytes(4).toString("hex")}-${stem}${ext}`;
  const path = join(mediaDir, unique);
  await writeFile(path, data, { mode: 0o600, flag: "wx" });
  return path;
}

/**
 * Reads a fetch response body, refusing anything past `limit` bytes: a body without (or with a
 * false) content-length is read as a stream and cut off at the limit, never buffered whole.
 */
export async function readLimited(res: Response, what: string, limit = MAX_MEDIA_BYTES): Promise<Uint8Array> {
  const tooBig = () => new Error(`${what} is larger than ${limit} bytes`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
