import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";

/** Largest inbound file kavilo keeps (Telegram's Bot API caps downloads at 20 MB too). */
export const MAX_MEDIA_BYTES = 20 * 1024 * 1024;

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

/** Reads a fetch response body, refusing anything past `MAX_MEDIA_BYTES`. */
export async function readLimited(res: Response, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_MEDIA_BYTES) throw new Error(`${what} is larger than ${MAX_MEDIA_BYTES} bytes`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.byteLength > MAX_MEDIA_BYTES) throw new Error(`${what} is larger than ${MAX_MEDIA_BYTES} bytes`);
  return buf;
}
