import { readFile } from "node:fs/promises";
import type { ContentPart } from "../../providers/types.js";
import { imageLabel } from "../agent/stored-message.js";
import type { InboundMessage } from "./types.js";

/** Images past this size are described instead of sent: providers reject huge inline images. */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

export interface InputOptions {
  readFile?: (path: string) => Promise<Uint8Array>;
}

/**
 * What the agent is asked for a channel message: the text, images inline (base64), each after a
 * label with its saved path, and every other file as a note with its path, so the agent can open
 * it with read_file. The session stores the label in place of the image (see forStorage).
 */
export async function turnInputOf(
  msg: InboundMessage,
  opts: InputOptions = {},
): Promise<string | ContentPart[]> {
  const media = msg.media ?? [];
  if (media.length === 0) return msg.text;
  const read = opts.readFile ?? ((p: string) => readFile(p));
  const parts: ContentPart[] = [];
  const notes: string[] = [];
  for (const m of media) {
    const label = m.name ? `${m.name} (${m.mediaType})` : m.mediaType;
    if (m.kind === "image") {
      try {
        const data = await read(m.path);
        if (data.byteLength <= MAX_IMAGE_BYTES) {
          parts.push(
            { type: "text", text: imageLabel(m.path, m.mediaType) },
            { type: "image", mediaType: m.mediaType, data: Buffer.from(data).toString("base64") },
          );
          continue;
        }
        notes.push(`[image ${label} too large to show inline; saved at ${m.path}]`);
      } catch {
        notes.push(`[image ${label} could not be read from ${m.path}]`);
      }
      continue;
    }
    notes.push(`[${m.kind} ${label} received; saved at ${m.path} — open it with read_file if needed]`);
  }
  const text = [msg.text, ...notes].filter((t) => t.trim() !== "").join("\n");
  return text ? [{ type: "text", text }, ...parts] : parts;
}
