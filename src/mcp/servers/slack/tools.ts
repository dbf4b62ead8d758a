import * as z from "zod";
import type { SlackCall } from "./slack-api.js";

/** One `mcp serve slack` tool, transport-neutral: the MCP server and the in-process adapter register it. */
export interface SlackTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  readOnly: boolean;
  handler(args: z.infer<S>, call: SlackCall): Promise<unknown>;
}

function define<S extends z.ZodObject>(tool: SlackTool<S>): SlackTool {
  return tool as unknown as SlackTool;
}

type Msg = Record<string, unknown>;
const pick = (o: Msg, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
const MSG_KEYS = ["user", "bot_id", "text", "ts", "thread_ts", "reply_count", "permalink", "files"] as const;
const messages = (list: unknown) =>
  Array.isArray(list) ? (list as Msg[]).map((m) => pick(m, MSG_KEYS)) : [];
function user(u: unknown) {
  const o = (u ?? {}) as Msg;
  const profile = (o.profile ?? {}) as Msg;
  return {
    ...pick(o, ["id", "name", "real_name", "tz", "is_bot", "deleted"]),
    ...pick(profile, ["display_name", "email", "title"]),
  };
}
const next = (r: Msg) =>
  ((r.response_metadata as Msg | undefined)?.next_cursor as string | undefined) || undefined;

const channel = z.string().min(1).describe("Channel or DM id (C..., G..., D...)");
const ts = z.string().regex(/^\d+\.\d+$/, "a Slack ts like 1700000000.000100");
const limit = z.number().int().min(1).max(200).optional().describe("How many (default 50)");
const cursor = z.string().optional().describe("next_cursor of the previous page");

async function selfId(call: SlackCall): Promise<string> {
  const me = await call("auth.test");
  return String(me.user_id);
}

export const slackTools: SlackTool[] = [
  define({
    name: "whoami",
    title: "Who am I",
    description: "The Slack user and workspace these tools act as (auth.test).",
    input: z.object({}),
    readOnly: true,
    async handler(_args, call) {
      const r = await call("auth.test");
      return pick(r, ["user_id", "user", "team_id", "team", "url", "enterprise_id"]);
    },
  }),
  define({
    name: "channel_history",
    title: "Channel history",
    description: "Recent messages of a channel or DM, newest first (conversations.history).",
    input: z.object({
      channel,
      limit,
      oldest: ts.optional().describe("Only messages after this ts"),
      latest: ts.optional().describe("Only messages before this ts"),
      cursor,
    }),
    readOnly: true,
    async handler(a, call) {
      const r = await call("conversations.history", { ...a, limit: a.limit ?? 50 });
      return { messages: messages(r.messages), has_more: r.has_more ?? false, next_cursor: next(r) };
    },
  }),
  define({
    name: "thread_replies",
    title: "Thread replies",
    description: "A thread's parent and replies, oldest first (conversations.replies).",
    input: z.object({ channel, ts: ts.describe("The parent message's ts"), limit, cursor }),
    readOnly: true,
    async handler(a, call) {
      const r = await call("conversations.replies", { ...a, limit: a.limit ?? 50 });
      return { messages: messages(r.messages), has_more: r.has_more ?? false, next_cursor: next(r) };
    },
  }),
  define({
    name: "search_messages",
    title: "Search messages",
    description: "Searches messages the user can see, with Slack's search syntax (search.messages).",
    input: z.object({
      query: z.string().min(1).describe('e.g. "deploy in:#ops from:@alice after:2026-01-01"'),
      count: z.number().int().min(1).max(100).optional(),
      page: z.number().int().min(1).optional(),
      sort: z.enum(["score", "timestamp"]).optional(),
    }),
    readOnly: true,
    async handler(a, call) {
      const r = await call("search.messages", a);
      const m = (r.messages ?? {}) as Msg;
      const matches = Array.isArray(m.matches) ? (m.matches as Msg[]) : [];
      return {
        total: m.total ?? matches.length,
        matches: matches.map((x) => ({ ...pick(x, MSG_KEYS), channel: (x.channel as Msg | undefined)?.id })),
      };
    },
  }),
  define({
    name: "search_files",
    title: "Search files",
    description: "Searches files shared in Slack by name and content (search.files).",
    input: z.object({
      query: z.string().min(1),
      count: z.number().int().min(1).max(100).optional(),
      page: z.number().int().min(1).optional(),
    }),
    readOnly: true,
    async handler(a, call) {
      const r = await call("search.files", a);
      const f = (r.files ?? {}) as Msg;
      const matches = Array.isArray(f.matches) ? (f.matches as Msg[]) : [];
      const keys = ["id", "name", "title", "filetype", "user", "created", "permalink"] as const;
      return { total: f.total ?? matches.length, matches: matches.map((x) => pick(x, keys)) };
    },
  }),
  define({
    name: "list_users",
    title: "List users",
    description: "Members of the workspace, a page at a time (users.list).",
    input: z.object({ limit, cursor }),
    readOnly: true,
    async handler(a, call) {
      const r = await call("users.list", { ...a, limit: a.limit ?? 100 });
      const members = Array.isArray(r.members) ? r.members.map(user) : [];
      return { members, next_cursor: next(r) };
    },
  }),
  define({
    name: "lookup_user",
    title: "Look up a user",
    description: "One user by id (users.info) or by email (users.lookupByEmail); give exactly one.",
    input: z.object({
      user: z.string().min(1).optional().describe("User id (U...)"),
      email: z.email().optional(),
    }),
    readOnly: true,
    async handler(a, call) {
      if (Boolean(a.user) === Boolean(a.email)) throw new Error("give exactly one of user or email");
      const r = a.user
        ? await call("users.info", { user: a.user })
        : await call("users.lookupByEmail", { email: a.email });
      return user(r.user);
    },
  }),
  define({
    name: "get_permalink",
    title: "Message permalink",
    description: "The permanent link of a message (chat.getPermalink).",
    input: z.object({ channel, message_ts: ts }),
    readOnly: true,
    async handler(a, call) {
      const r = await call("chat.getPermalink", a);
      return { permalink: r.permalink };
    },
  }),
  define({
    name: "post_message",
    title: "Post a message",
    description: "Posts a message as the user (not a bot) to a channel, DM or thread (chat.postMessage).",
    input: z.object({
      channel,
      text: z.string().min(1).describe("Slack mrkdwn"),
      thread_ts: ts.optional().describe("Reply in this thread"),
    }),
    readOnly: false,
    async handler(a, call) {
      const r = await call("chat.postMessage", a);
      return { channel: r.channel, ts: r.ts };
    },
  }),
  define({
    name: "open_dm",
    title: "Open a DM",
    description:
      "Opens (or finds) the DM or group DM with these users and returns its channel id (conversations.open).",
    input: z.object({ users: z.array(z.string().min(1)).min(1).max(8).describe("User ids (U...)") }),
    readOnly: false,
    async handler(a, call) {
      const r = await call("conversations.open", { users: a.users.join(","), return_im: true });
      return { channel: (r.channel as Msg | undefined)?.id };
    },
  }),
  define({
    name: "self_dm",
    title: "DM to self",
    description: "Opens the user's DM with themselves; with text, posts it there as a note to self.",
    input: z.object({ text: z.string().min(1).optional() }),
    readOnly: false,
    async handler(a, call) {
      const me = await selfId(call);
      const r = await call("conversations.open", { users: me });
      const id = (r.channel as Msg | undefined)?.id;
      if (!a.text) return { channel: id };
      const posted = await call("chat.postMessage", { channel: id, text: a.text });
      return { channel: id, ts: posted.ts };
    },
  }),
];
