import type { SlackConfig } from "../../core/config/schema.js";
import { isSenderAllowed } from "../access.js";
import type { SlackFile, SlackMessageEvent } from "./slack-event.js";

export interface SlackIdentity {
  userId: string;
  botId?: string;
}

export type SlackDecision =
  | {
      kind: "accept";
      senderId: string;
      text: string;
      sessionKey: string;
      threadId?: string;
      files: SlackFile[];
    }
  | { kind: "ignore"; reason: string; unauthorized?: boolean };

type Policy = Pick<
  SlackConfig,
  "allowFrom" | "groupPolicy" | "groupAllowFrom" | "replyInThread" | "allowBots"
>;

/** Subtypes that are still a person (or bot) saying something new. */
const CONTENT_SUBTYPES = new Set(["file_share", "thread_broadcast", "bot_message"]);

/** Decides whether kavilo answers a Slack message or app_mention event. */
export function classifySlackEvent(ev: SlackMessageEvent, me: SlackIdentity, policy: Policy): SlackDecision {
  if (ev.subtype && !CONTENT_SUBTYPES.has(ev.subtype))
    return { kind: "ignore", reason: `subtype ${ev.subtype}` };
  if (ev.user === me.userId || (me.botId !== undefined && ev.bot_id === me.botId)) {
    return { kind: "ignore", reason: "own message" };
  }
  const fromBot = ev.bot_id !== undefined || ev.subtype === "bot_message";
  if (fromBot && !policy.allowBots) return { kind: "ignore", reason: "another bot's message" };
  const senderId = ev.user ?? ev.bot_id;
  if (!senderId) return { kind: "ignore", reason: "no sender" };
  const isDm = ev.channel_type === "im" || (ev.channel_type === undefined && ev.channel.startsWith("D"));
  const mentionTag = `<@${me.userId}`;
  if (!isDm) {
    const addressed =
      policy.groupPolicy === "open" ||
      (policy.groupPolicy === "mention" &&
        (ev.type === "app_mention" || (ev.text ?? "").includes(mentionTag))) ||
      (policy.groupPolicy === "allowlist" && policy.groupAllowFrom.includes(ev.channel));
    if (!addressed) return { kind: "ignore", reason: "channel message not addressed to kavilo" };
  }
  if (!isSenderAllowed(policy.allowFrom, [senderId])) {
    return { kind: "ignore", reason: `unauthorized sender ${senderId}`, unauthorized: true };
  }
  const text = slackTextToPlain(stripMention(ev.text ?? "", me.userId));
  const files = ev.files ?? [];
  if (text === "" && files.length === 0) return { kind: "ignore", reason: "no text or files" };
  const root = ev.thread_ts ?? ev.ts;
  // A DM is one conversation: kavilo answers in it directly (one session per DM) unless the user
  // wrote inside a thread. In channels, replyInThread starts a thread (and a session) per message.
  const threadId = policy.replyInThread && !isDm ? root : ev.thread_ts;
  return {
    kind: "accept",
    senderId,
    text,
    sessionKey: threadId ? `slack:${ev.channel}:${threadId}` : `slack:${ev.channel}`,
    ...(threadId ? { threadId } : {}),
    files,
  };
}

function stripMention(text: string, userId: string): string {
  return text
    .split(`<@${userId}>`)
    .join("")
    .replace(new RegExp(`<@${userId}\\|[^>]*>`, "g"), "")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

/** Slack's wire text → what a person typed: links unwrapped, the three entities decoded. */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_, url: string, label: string) =>
      label === url || `mailto:${label}` === url ? label : `${label} (${url})`,
    )
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
