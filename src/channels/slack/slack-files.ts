import type { InboundMedia } from "../../core/bus/types.js";
import { readLimited, saveMedia } from "../media-store.js";
import type { SlackFile } from "./slack-event.js";

/**
 * Downloads a shared file with the bot token. The token is only sent to Slack's own hosts (or the
 * configured API host), never to whatever URL an event happens to carry.
 */
export async function downloadSlackFile(
  file: SlackFile,
  opts: { botToken: string; apiUrl: string; mediaDir: string; fetch: typeof fetch },
): Promise<InboundMedia> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) throw new Error(`file ${file.id} has no download URL`);
  const host = new URL(url).host;
  if (!isTrustedHost(host, new URL(opts.apiUrl).host))
    throw new Error(`refusing to send the bot token to ${host}`);
  const res = await opts.fetch(url, { headers: { authorization: `Bearer ${opts.botToken}` } });
  if (!res.ok) throw new Error(`downloading ${file.name ?? file.id} failed with HTTP ${res.status}`);
  if ((res.headers.get("content-type") ?? "").includes("text/html") && !file.mimetype?.includes("html")) {
    throw new Error(
      `Slack answered ${file.name ?? file.id} with a login page (is the files:read scope granted?)`,
    );
  }
  const data = await readLimited(res, file.name ?? "the file");
  const mediaType = file.mimetype ?? "application/octet-stream";
  const path = await saveMedia(opts.mediaDir, "slack", file.name ?? file.id, data);
  return { path, mediaType, kind: kindOf(mediaType), ...(file.name ? { name: file.name } : {}) };
}

function isTrustedHost(host: string, apiHost: string): boolean {
  if (host === apiHost) return true;
  return [".slack.com", ".slack-edge.com", ".slack-files.com"].some((s) => `.${host}`.endsWith(s));
}

function kindOf(mediaType: string): InboundMedia["kind"] {
  if (mediaType.startsWith("image/")) return "image";
  if (mediaType.startsWith("audio/")) return "audio";
  if (mediaType.startsWith("video/")) return "video";
  return "document";
}
