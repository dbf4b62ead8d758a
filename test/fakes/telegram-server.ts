import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One Bot API call the fake received. */
export interface TelegramCall {
  method: string;
  params: Record<string, unknown>;
  /** What the fake answered with ok:true, when it did. */
  result?: unknown;
}

export interface FakeUser {
  id: number;
  username?: string;
  first_name?: string;
  is_bot?: boolean;
}

export interface FakeEntity {
  type: string;
  offset: number;
  length: number;
  user?: FakeUser;
}

export interface SendTextOptions {
  chatId: number;
  from: FakeUser | number;
  text: string;
  chatType?: "private" | "group" | "supergroup";
  /** Defaults to what Telegram would compute: bot_command at the start, @mentions. */
  entities?: FakeEntity[];
  /** message_id being replied to (one the bot sent, or one pushed earlier). */
  replyTo?: number;
  /** Forum topic id; marks the message as a topic message. */
  messageThreadId?: number;
}

export interface SendFileOptions extends Omit<SendTextOptions, "text"> {
  caption?: string;
  data?: Uint8Array;
  fileName?: string;
  mimeType?: string;
  /** file_size the message claims (default the data's length), to fake a huge file cheaply. */
  reportedSize?: number;
}

export interface FakeTelegram {
  readonly apiRoot: string;
  readonly token: string;
  readonly bot: FakeUser & { username: string };
  readonly calls: TelegramCall[];
  /** Queues a raw update (update_id is assigned). Returns the update id. */
  pushUpdate(update: Record<string, unknown>): number;
  /** Queues a text message; returns its message_id. */
  sendText(opts: SendTextOptions): number;
  /** Queues a photo (two sizes, the larger holding `data`); returns its message_id. */
  sendPhoto(opts: SendFileOptions): number;
  sendDocument(opts: SendFileOptions): number;
  /** sendMessage calls' parameters, in order. */
  sent(): Record<string, unknown>[];
  /**
   * Queues a callback_query: `from` pressed the inline button whose callback_data is `data` under
   * the bot's message `messageId` (as it was sent, reply_markup included). Returns the query id.
   */
  pressButton(opts: { from: FakeUser | number; messageId: number; data: string }): string;
  /** message_ids the fake gave the bot's sent messages, in order. */
  sentIds(): number[];
  /** sendMessage with parse_mode HTML whose text contains this marker answers 400 "can't parse entities". */
  rejectEntitiesMarker: string;
  /** The next `count` calls of `method` have their connection destroyed (a network failure). */
  dropRequests(method: string, count: number): void;
  /** Calls of `method` from now on are recorded and never answered (a stuck platform). */
  hangRequests(method: string): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Waiter {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: ReturnType<typeof setTimeout>;
}

/** A Telegram Bot API server on 127.0.0.1 that grammy can long-poll. */
export async function startFakeTelegram(
  opts: { botUsername?: string; token?: string } = {},
): Promise<FakeTelegram> {
  const token = opts.token ?? "123456:TEST-token_abcdefghijk";
  const bot = {
    id: 777000111,
    is_bot: true,
    first_name: "Kavilo",
    username: opts.botUsername ?? "kavilo_bot",
  };
  const calls: TelegramCall[] = [];
  const updates: Record<string, unknown>[] = [];
  const files = new Map<string, { path: string; data: Uint8Array }>();
  const messages = new Map<number, Record<string, unknown>>();
  const drops = new Map<string, number>();
  const hangs = new Set<string>();
  let waiters: Waiter[] = [];
  let nextUpdate = 1;
  let nextMessage = 1;
  let nextFile = 1;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const okRaw = (res: ServerResponse, result: unknown) => json(res, 200, { ok: true, result });

  const pending = (offset: number, limit: number) =>
    updates.filter((u) => (u.update_id as number) >= offset).slice(0, limit);

  const wake = () => {
    waiters = waiters.filter((w) => {
      const ready = pending(w.offset, w.limit);
      if (ready.length === 0) return true;
      clearTimeout(w.timer);
      okRaw(w.res, ready);
      return false;
    });
  };

  function pushUpdate(update: Record<string, unknown>): number {
    const id = nextUpdate++;
    updates.push({ ...update, update_id: id });
    wake();
    return id;
  }

  function baseMessage(o: Omit<SendTextOptions, "text">): Record<string, unknown> {
    const from =
      typeof o.from === "number" ? { id: o.from, is_bot: false, first_name: `User${o.from}` } : o.from;
    const chatType = o.chatType ?? "private";
    const message: Record<string, unknown> = {
      message_id: nextMessage++,
      date: Math.floor(Date.now() / 1000),
      chat:
        chatType === "private"
          ? { id: o.chatId, type: "private" }
          : { id: o.chatId, type: chatType, title: "Group" },
      from: { is_bot: false, first_name: "User", ...from },
    };
    if (o.replyTo !== undefined) {
      const replied = messages.get(o.replyTo);
      message.reply_to_message = replied ?? { message_id: o.replyTo, date: 0, chat: message.chat };
    }
    if (o.messageThreadId !== undefined) {
      message.message_thread_id = o.messageThreadId;
      message.is_topic_message = true;
    }
    return message;
  }

  function pushMessage(message: Record<string, unknown>): number {
    messages.set(message.message_id as number, message);
    pushUpdate({ message });
    return message.message_id as number;
  }

  function storeFile(dir: string, name: string, data: Uint8Array) {
    const id = `file-${nextFile++}`;
    files.set(id, { path: `${dir}/${id}-${name}`, data });
    return id;
  }

  function sendFile(
    o: SendFileOptions,
    build: (msg: Record<string, unknown>, data: Uint8Array) => void,
  ): number {
    const msg = baseMessage(o);
    if (o.caption !== undefined) {
      msg.caption = o.caption;
      msg.caption_entities = autoEntities(o.caption);
    }
    build(msg, o.data ?? new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]));
    return pushMessage(msg);
  }

  async function handleMethod(call: TelegramCall, res: ServerResponse) {
    const { method, params } = call;
    const ok = (r: ServerResponse, result: unknown) => {
      call.result = result;
      okRaw(r, result);
    };
    switch (method) {
      case "getMe":
        return ok(res, {
          ...bot,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case "getUpdates": {
        const offset = Number(params.offset ?? 0);
        const limit = Number(params.limit ?? 100);
        const timeout = Number(params.timeout ?? 0);
        // Telegram forgets every update below the offset it is asked for.
        if (offset > 0)
          for (let i = updates.length - 1; i >= 0; i--)
            if ((updates[i]?.update_id as number) < offset) updates.splice(i, 1);
        const ready = pending(offset, limit);
        if (ready.length > 0 || timeout <= 0) return ok(res, ready);
        const waiter: Waiter = {
          offset,
          limit,
          res,
          timer: setTimeout(() => {
            waiters = waiters.filter((w) => w !== waiter);
            ok(res, []);
          }, timeout * 1000),
        };
        res.on("close", () => {
          clearTimeout(waiter.timer);
          waiters = waiters.filter((w) => w !== waiter);
        });
        waiters.push(waiter);
        return;
      }
      case "sendMessage": {
        const text = String(params.text ?? "");
        if (
          params.parse_mode === "HTML" &&
          fake.rejectEntitiesMarker &&
          text.includes(fake.rejectEntitiesMarker)
        ) {
          return json(res, 400, {
            ok: false,
            error_code: 400,
            description: "Bad Request: can't parse entities: Unsupported start tag at byte offset 0",
          });
        }
        if (text.length > 4096)
          return json(res, 400, {
            ok: false,
            error_code: 400,
            description: "Bad Request: message is too long",
          });
        const chatId = Number(params.chat_id);
        const message = {
          message_id: nextMessage++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId < 0 ? "group" : "private" },
          from: bot,
          text,
        };
        const markup =
          typeof params.reply_markup === "string" ? JSON.parse(params.reply_markup) : params.reply_markup;
        const stored = markup ? { ...message, reply_markup: markup } : message;
        messages.set(message.message_id, stored);
        return ok(res, stored);
      }
      case "getFile": {
        const file = files.get(String(params.file_id));
        if (!file)
          return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: invalid file_id" });
        return ok(res, {
          file_id: params.file_id,
          file_unique_id: `u-${params.file_id}`,
          file_size: file.data.byteLength,
          file_path: file.path,
        });
      }
      default:
        return ok(res, true);
    }
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      const file =
        fileMatch[1] === token ? [...files.values()].find((f) => f.path === fileMatch[2]) : undefined;
      if (!file) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": file.data.byteLength,
      });
      return res.end(file.data);
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m?.[2]) return json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    if (m[1] !== token) return json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const method = m[2];
    const params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
    const call: TelegramCall = { method, params };
    calls.push(call);
    const drop = drops.get(method) ?? 0;
    if (drop > 0) {
      drops.set(method, drop - 1);
      return req.socket.destroy();
    }
    if (hangs.has(method)) return;
    await handleMethod(call, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeTelegram = {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    bot,
    calls,
    rejectEntitiesMarker: "",
    pushUpdate,
    sendText: (o) => {
      const msg = baseMessage(o);
      msg.text = o.text;
      msg.entities = o.entities ?? autoEntities(o.text);
      return pushMessage(msg);
    },
    sendPhoto: (o) =>
      sendFile(o, (msg, data) => {
        const small = storeFile("photos", "small.jpg", data.slice(0, 2));
        const large = storeFile("photos", "large.jpg", data);
        msg.photo = [
          { file_id: small, file_unique_id: `u-${small}`, width: 90, height: 60, file_size: 2 },
          {
            file_id: large,
            file_unique_id: `u-${large}`,
            width: 1280,
            height: 960,
            file_size: o.reportedSize ?? data.byteLength,
          },
        ];
      }),
    sendDocument: (o) =>
      sendFile(o, (msg, data) => {
        const name = o.fileName ?? "file.bin";
        const id = storeFile("documents", name, data);
        msg.document = {
          file_id: id,
          file_unique_id: `u-${id}`,
          file_name: name,
          mime_type: o.mimeType ?? "application/octet-stream",
          file_size: o.reportedSize ?? data.byteLength,
        };
      }),
    sent: () => calls.filter((c) => c.method === "sendMessage").map((c) => c.params),
    pressButton: (o) => {
      const from =
        typeof o.from === "number" ? { id: o.from, is_bot: false, first_name: `User${o.from}` } : o.from;
      const message = messages.get(o.messageId);
      if (!message) throw new Error(`the fake sent no message ${o.messageId}`);
      const id = `cbq-${nextUpdate}`;
      pushUpdate({
        callback_query: {
          id,
          from: { is_bot: false, first_name: "User", ...from },
          message,
          chat_instance: `ci-${String(message.chat && (message.chat as { id: number }).id)}`,
          data: o.data,
        },
      });
      return id;
    },
    sentIds: () =>
      calls
        .filter((c) => c.method === "sendMessage" && c.result)
        .map((c) => (c.result as { message_id: number }).message_id),
    dropRequests: (method, count) => drops.set(method, count),
    hangRequests: (method) => hangs.add(method),
    waitFor: (predicate, timeoutMs = 5000) => waitUntil(predicate, timeoutMs),
    close: async () => {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.res.destroy();
      }
      waiters = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** bot_command at the start and @mentions, as Telegram computes them server-side. */
function autoEntities(text: string): FakeEntity[] {
  const out: FakeEntity[] = [];
  const cmd = /^\/\w+(@\w+)?/.exec(text);
  if (cmd) out.push({ type: "bot_command", offset: 0, length: cmd[0].length });
  for (const m of text.matchAll(/(^|[^\w/])(@\w{3,})/g)) {
    out.push({ type: "mention", offset: (m.index ?? 0) + (m[1]?.length ?? 0), length: m[2]?.length ?? 0 });
  }
  return out;
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  if (!body) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(body) as Record<string, unknown>;
  if (type.includes("x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(body));
  return {};
}

export async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
