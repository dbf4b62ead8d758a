import { existsSync } from "node:fs";
import * as z from "zod";
import { SessionStore } from "../../../core/session/session-store.js";
import type { ContentPart, Message } from "../../../providers/types.js";
import { defineSelfTool, type SelfDeps, type SelfTool, SelfToolError } from "./self-tool.js";

const MAX_PAGE = 200;

// Base64 image data is useless to a reader and can be megabytes: describe it instead.
function describeContent(content: string | ContentPart[]): unknown {
  if (typeof content === "string") return content;
  return content.map((part) =>
    part.type === "image"
      ? { type: "image", mediaType: part.mediaType, bytes: Buffer.byteLength(part.data, "base64") }
      : part,
  );
}

function describeMessage(message: Message): unknown {
  return { ...message, content: describeContent(message.content) };
}

function store(deps: SelfDeps): SessionStore {
  return new SessionStore(deps.config().paths.sessions);
}

export function createSessionTools(deps: SelfDeps): SelfTool[] {
  const listSessions = defineSelfTool({
    name: "list_sessions",
    title: "List sessions",
    description:
      "List kavilo's conversation sessions (CLI, Telegram, Slack, cron), newest first: each session's key, " +
      "message count and last update time. Use a key with read_session to read its messages.",
    input: z.object({}),
    readOnly: true,
    async handler() {
      const sessions = await store(deps).list();
      return {
        sessions: sessions.map((s) => ({ key: s.key, messages: s.messages, updatedAt: s.updatedAt })),
      };
    },
  });

  const readSession = defineSelfTool({
    name: "read_session",
    title: "Read a session",
    description:
      "Read one page of a session's messages, oldest first. Returns the messages from `offset`, the total " +
      "count, and `nextOffset` for the next page (null at the end). Images are described, not returned.",
    input: z.object({
      key: z
        .string()
        .min(1)
        .describe('Session key from list_sessions, e.g. "cli:default" or "telegram:12345"'),
      offset: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe("Index of the first message to return (0 = oldest)"),
      limit: z
        .number()
        .int()
        .min(1)
        .max(MAX_PAGE)
        .default(50)
        .describe(`Messages per page, at most ${MAX_PAGE}`),
    }),
    readOnly: true,
    async handler({ key, offset, limit }) {
      const sessions = store(deps);
      if (!existsSync(sessions.fileOf(key))) {
        throw new SelfToolError(`no session "${key}": list_sessions shows the existing keys`);
      }
      const loaded = await sessions.load(key);
      const total = loaded.messages.length;
      const end = Math.min(offset + limit, total);
      return {
        key,
        total,
        offset,
        messages: loaded.messages.slice(offset, end).map(describeMessage),
        nextOffset: end < total ? end : null,
        ...(loaded.warnings.length ? { warnings: loaded.warnings } : {}),
      };
    },
  });

  return [listSessions, readSession];
}
