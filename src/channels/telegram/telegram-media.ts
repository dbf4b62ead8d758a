import type { Api } from "grammy";
import type { InboundMedia } from "../../core/bus/types.js";
import { readLimited, saveMedia } from "../media-store.js";
import type { TelegramMediaRef } from "./telegram-inbound.js";

export interface TelegramDownloader {
  api: Api;
  apiRoot: string;
  token: string;
  mediaDir: string;
  fetch: typeof fetch;
}

/** getFile, then the file URL (`<apiRoot>/file/bot<token>/<file_path>`), into media/. */
export async function downloadTelegramMedia(
  d: TelegramDownloader,
  ref: TelegramMediaRef,
): Promise<InboundMedia> {
  const file = await d.api.getFile(ref.fileId);
  if (!file.file_path) throw new Error(`Telegram returned no file_path for a ${ref.kind}`);
  const url = `${d.apiRoot}/file/bot${d.token}/${file.file_path}`;
  const res = await d.fetch(url);
  if (!res.ok) throw new Error(`downloading a ${ref.kind} failed with HTTP ${res.status}`);
  const data = await readLimited(res, `the ${ref.kind}`);
  const name = ref.name.includes(".") ? ref.name : (file.file_path.split("/").pop() ?? ref.name);
  const path = await saveMedia(d.mediaDir, "telegram", name, data);
  return { path, mediaType: ref.mediaType, kind: ref.kind, name: ref.name };
}
