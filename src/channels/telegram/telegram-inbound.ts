import type { Message, MessageEntity, UserFromGetMe } from "grammy/types";
import type { InboundMedia } from "../../core/bus/types.js";
import type { TelegramConfig } from "../../core/config/schema.js";
import { isSenderAllowed } from "../access.js";

/** A file referenced by a message, still on Telegram's servers. */
export interface TelegramMediaRef {
  fileId: string;
  kind: InboundMedia["kind"];
  mediaType: string;
  name: string;
  /** As Telegram reports it; lets an oversized file be skipped without a download. */
  size?: number;
}

export type TelegramDecision =
  | {
      kind: "accept";
      text: string;
      command?: "new" | "stop" | "help";
      media: TelegramMediaRef[];
      sessionKey: string;
      threadId?: string;
      senderName?: string;
    }
  | { kind: "ignore"; reason: string; unauthorized?: boolean };

type Access = Pick<TelegramConfig, "allowFrom" | "groupPolicy">;

/** Decides whether kavilo answers a Telegram message, and what it says once the @mention is gone. */
export function classifyTelegramMessage(msg: Message, me: UserFromGetMe, access: Access): TelegramDecision {
  const from = msg.from;
  if (!from || from.is_bot) return { kind: "ignore", reason: "sent by a bot" };
  if (!isSenderAllowed(access.allowFrom, [String(from.id), from.username])) {
    const who = from.username ? `${from.id} (@${from.username})` : String(from.id);
    return { kind: "ignore", reason: `unauthorized sender ${who}`, unauthorized: true };
  }
  const raw = msg.text ?? msg.caption ?? "";
  const entities = msg.entities ?? msg.caption_entities ?? [];
  const isGroup = msg.chat.type === "group" || msg.chat.type === "supergroup";
  if (msg.chat.type === "channel") return { kind: "ignore", reason: "channel post" };
  if (isGroup && access.groupPolicy === "mention" && !addressesBot(msg, raw, entities, me)) {
    return { kind: "ignore", reason: "group message without a mention" };
  }
  const command = parseCommand(raw, me.username);
  if (command === "elsewhere") return { kind: "ignore", reason: "command for another bot" };
  const text = stripMention(raw, me.username);
  const media = mediaRefs(msg);
  if (text === "" && media.length === 0) return { kind: "ignore", reason: "no text or media" };
  const topic =
    msg.is_topic_message && msg.message_thread_id !== undefined ? String(msg.message_thread_id) : undefined;
  const senderName =
    from.username ?? ([from.first_name, from.last_name].filter(Boolean).join(" ") || undefined);
  return {
    kind: "accept",
    text,
    ...(command ? { command } : {}),
    media,
    sessionKey: topic ? `telegram:${msg.chat.id}:${topic}` : `telegram:${msg.chat.id}`,
    ...(topic ? { threadId: topic } : {}),
    ...(senderName ? { senderName } : {}),
  };
}

function addressesBot(msg: Message, text: string, entities: MessageEntity[], me: UserFromGetMe): boolean {
  if (msg.reply_to_message?.from?.id === me.id) return true;
  const handle = `@${me.username}`.toLowerCase();
  return entities.some((e) => {
    const slice = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === "mention") return slice === handle;
    if (e.type === "text_mention") return e.user.id === me.id;
    if (e.type === "bot_command") return slice.endsWith(handle);
    return false;
  });
}

const COMMAND = /^\/(new|stop|help)(?:@(\w+))?(?=\s|$)/i;

function parseCommand(text: string, username: string): "new" | "stop" | "help" | "elsewhere" | undefined {
  const m = COMMAND.exec(text.trim());
  if (!m?.[1]) return undefined;
  if (m[2] && m[2].toLowerCase() !== username.toLowerCase()) return "elsewhere";
  return m[1].toLowerCase() as "new" | "stop" | "help";
}

function stripMention(text: string, username: string): string {
  const escaped = username.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text
    .replace(new RegExp(`@${escaped}\\b`, "gi"), "")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

function mediaRefs(msg: Message): TelegramMediaRef[] {
  const refs: TelegramMediaRef[] = [];
  const photo = msg.photo?.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  if (photo)
    refs.push({
      ...ref(photo.file_id, photo.file_size),
      kind: "image",
      mediaType: "image/jpeg",
      name: "photo.jpg",
    });
  const doc = msg.document;
  if (doc) {
    const mediaType = doc.mime_type ?? "application/octet-stream";
    const kind = mediaType.startsWith("image/") ? "image" : "document";
    refs.push({ ...ref(doc.file_id, doc.file_size), kind, mediaType, name: doc.file_name ?? "document" });
  }
  if (msg.voice) {
    const mediaType = msg.voice.mime_type ?? "audio/ogg";
    refs.push({
      ...ref(msg.voice.file_id, msg.voice.file_size),
      kind: "audio",
      mediaType,
      name: "voice.ogg",
    });
  }
  if (msg.audio) {
    const mediaType = msg.audio.mime_type ?? "audio/mpeg";
    refs.push({
      ...ref(msg.audio.file_id, msg.audio.file_size),
      kind: "audio",
      mediaType,
      name: msg.audio.file_name ?? "audio",
    });
  }
  if (msg.video) {
    const mediaType = msg.video.mime_type ?? "video/mp4";
    refs.push({
      ...ref(msg.video.file_id, msg.video.file_size),
      kind: "video",
      mediaType,
      name: msg.video.file_name ?? "video.mp4",
    });
  }
  return refs;
}

function ref(fileId: string, size: number | undefined): { fileId: string; size?: number } {
  return size === undefined ? { fileId } : { fileId, size };
}
