import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One Web API call the fake received. */
export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  /** The bearer token the call carried. */
  token?: string;
}

export interface FakeSlackFile {
  id: string;
  name: string;
  mimetype: string;
  url_private: string;
  url_private_download: string;
  size: number;
}

export interface FakeSlack {
  /** Web API base, ending in /api/ (WebClient's slackApiUrl). */
  readonly apiUrl: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  /** Envelope ids the client acknowledged, in order. */
  readonly acks: string[];
  readonly calls: SlackCall[];
  /** WebSocket connections accepted so far (a reconnect makes it 2). */
  readonly connections: number;
  /** Queues an events_api envelope; delivered now or on the next connection. Returns its envelope_id. */
  pushEvent(event: Record<string, unknown>): string;
  /** chat.postMessage parameters, in order. */
  posted(): Record<string, unknown>[];
  /** The `ts` the fake gave each chat.postMessage, in order. */
  postedTs(): string[];
  /**
   * Queues an `interactive` envelope (block_actions): `userId` pressed the button whose value is
   * `value` on the bot's message `ts` in `channel`, as Slack delivers it over Socket Mode.
   */
  pressButton(opts: { userId: string; channel: string; ts: string; value: string }): string;
  /** Asks the connected client to reconnect (a `disconnect` envelope, reason refresh_requested). */
  disconnect(): void;
  /** Hosts a file that only the bot token may download. */
  /** `reportedSize` is the size the event claims (default the data's length). */
  addFile(data: Uint8Array, opts: { name: string; mimetype: string; reportedSize?: number }): FakeSlackFile;
  /** The next `count` Web API calls of `method` have their connection destroyed (a network failure). */
  dropRequests(method: string, count: number): void;
  /** Web API calls of `method` from now on are recorded and never answered. */
  hangRequests(method: string): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Envelope {
  id: string;
  event: Record<string, unknown>;
  /** An `interactive` envelope carries `event` as its whole payload. */
  interactive?: boolean;
  attempt: number;
  deliveredTo?: Connection;
}

interface Connection {
  socket: Socket;
  draining: boolean;
  buffer: Buffer;
}

/** Slack's Web API plus a Socket Mode WebSocket server on 127.0.0.1 (RFC 6455 framing, no extensions). */
export async function startFakeSlack(
  opts: { botToken?: string; appToken?: string; botUserId?: string; botId?: string } = {},
): Promise<FakeSlack> {
  const botToken = opts.botToken ?? "xoxb-fake-bot-token";
  const appToken = opts.appToken ?? "xapp-fake-app-token";
  const botUserId = opts.botUserId ?? "UBOT0001";
  const botId = opts.botId ?? "BBOT0001";
  const acks: string[] = [];
  const calls: SlackCall[] = [];
  const envelopes: Envelope[] = [];
  const files = new Map<string, { data: Uint8Array; file: FakeSlackFile }>();
  const sockets = new Set<Socket>();
  const drops = new Map<string, number>();
  const hangs = new Set<string>();
  let active: Connection | undefined;
  let connections = 0;
  let tsCounter = 0;
  const postedTs: string[] = [];
  const postedByTs = new Map<string, Record<string, unknown>>();
  let base = "";

  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, "0")}`;

  function deliver() {
    const conn = active;
    if (!conn || conn.draining) return;
    for (const env of envelopes) {
      if (env.deliveredTo) continue;
      env.deliveredTo = conn;
      if (env.interactive) {
        sendText(conn.socket, {
          envelope_id: env.id,
          type: "interactive",
          accepts_response_payload: false,
          payload: env.event,
        });
        continue;
      }
      sendText(conn.socket, {
        envelope_id: env.id,
        type: "events_api",
        accepts_response_payload: false,
        retry_attempt: env.attempt,
        retry_reason: env.attempt > 0 ? "timeout" : "",
        payload: {
          token: "verification",
          team_id: "T0FAKE",
          api_app_id: "A0FAKE",
          type: "event_callback",
          event_id: `Ev${env.id.slice(0, 8)}`,
          event_time: Math.floor(Date.now() / 1000),
          event: env.event,
        },
      });
    }
  }

  function onClosed(conn: Connection) {
    if (active === conn) active = undefined;
    // What was in flight on a dead connection is redelivered on the next one, as Slack does.
    for (const env of envelopes) {
      if (env.deliveredTo === conn) {
        env.deliveredTo = undefined;
        env.attempt += 1;
      }
    }
  }

  function onFrame(conn: Connection, opcode: number, payload: Buffer) {
    if (opcode === 0x9) return writeFrame(conn.socket, 0xa, payload);
    if (opcode === 0x8) {
      writeFrame(conn.socket, 0x8, payload.subarray(0, 2));
      conn.socket.end();
      return;
    }
    if (opcode !== 0x1) return;
    const msg = JSON.parse(payload.toString("utf8")) as { envelope_id?: string };
    if (!msg.envelope_id) return;
    acks.push(msg.envelope_id);
    const i = envelopes.findIndex((e) => e.id === msg.envelope_id);
    if (i >= 0) envelopes.splice(i, 1);
  }

  function api(
    method: string,
    params: Record<string, unknown>,
    token: string | undefined,
  ): Record<string, unknown> {
    if (method === "apps.connections.open") {
      if (token !== appToken) return { ok: false, error: "invalid_auth" };
      return { ok: true, url: `${base.replace("http:", "ws:")}/link/?ticket=${randomUUID()}` };
    }
    if (token !== botToken) return { ok: false, error: "invalid_auth" };
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake",
          user: "kavilo",
          team_id: "T0FAKE",
          user_id: botUserId,
          bot_id: botId,
        };
      case "chat.postMessage": {
        const ts = nextTs();
        postedTs.push(ts);
        postedByTs.set(ts, params);
        const thread = params.thread_ts ? { thread_ts: params.thread_ts } : {};
        return {
          ok: true,
          channel: params.channel,
          ts,
          message: { type: "message", text: params.text, user: botUserId, bot_id: botId, ts, ...thread },
        };
      }
      case "users.info": {
        const id = String(params.user);
        return {
          ok: true,
          user: {
            id,
            name: id.toLowerCase(),
            real_name: `Real ${id}`,
            profile: { display_name: `user-${id}` },
          },
        };
      }
      default:
        return { ok: true };
    }
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const fileMatch = /^\/files\/([^/]+)\//.exec(url.pathname);
    if (fileMatch) return serveFile(res, fileMatch[1] ?? "", token);
    const m = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!m?.[1]) return json(res, 404, { ok: false, error: "unknown_method" });
    const params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
    const effectiveToken = token ?? (typeof params.token === "string" ? params.token : undefined);
    calls.push({ method: m[1], params, ...(effectiveToken ? { token: effectiveToken } : {}) });
    const drop = drops.get(m[1]) ?? 0;
    if (drop > 0) {
      drops.set(m[1], drop - 1);
      return req.socket.destroy();
    }
    if (hangs.has(m[1])) return;
    json(res, 200, api(m[1], params, effectiveToken));
  });

  function serveFile(res: ServerResponse, id: string, token: string | undefined) {
    const entry = files.get(id);
    if (!entry || token !== botToken) {
      // Slack answers an unauthenticated file URL with its HTML login page.
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html>sign in</html>");
    }
    res.writeHead(200, { "content-type": entry.file.mimetype, "content-length": entry.data.byteLength });
    res.end(entry.data);
  }

  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    const key = req.headers["sec-websocket-key"];
    if (!key || !req.url?.startsWith("/link/")) return socket.destroy();
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const conn: Connection = { socket, draining: false, buffer: Buffer.alloc(0) };
    connections += 1;
    if (active) active.draining = true;
    active = conn;
    socket.on("data", (chunk: Buffer) => {
      conn.buffer = Buffer.concat([conn.buffer, chunk]);
      for (let frame = readFrame(conn); frame; frame = readFrame(conn))
        onFrame(conn, frame.opcode, frame.payload);
    });
    socket.on("close", () => onClosed(conn));
    socket.on("error", () => onClosed(conn));
    sendText(socket, {
      type: "hello",
      num_connections: 1,
      debug_info: { host: "fake-slack" },
      connection_info: { app_id: "A0FAKE" },
    });
    deliver();
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api/`,
    botToken,
    appToken,
    botUserId,
    botId,
    acks,
    calls,
    get connections() {
      return connections;
    },
    pushEvent(event) {
      const env: Envelope = { id: randomUUID(), event, attempt: 0 };
      envelopes.push(env);
      deliver();
      return env.id;
    },
    posted: () => calls.filter((c) => c.method === "chat.postMessage").map((c) => c.params),
    postedTs: () => [...postedTs],
    pressButton(o) {
      const params = postedByTs.get(o.ts);
      if (!params) throw new Error(`the fake posted no message ${o.ts}`);
      const raw = params.blocks;
      const blocks = (typeof raw === "string" ? JSON.parse(raw) : (raw ?? [])) as Array<{
        type: string;
        elements?: Array<Record<string, unknown>>;
      }>;
      const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.value === o.value);
      if (!button) throw new Error(`message ${o.ts} has no button with value ${o.value}`);
      const env: Envelope = {
        id: randomUUID(),
        interactive: true,
        attempt: 0,
        event: {
          type: "block_actions",
          user: {
            id: o.userId,
            username: o.userId.toLowerCase(),
            name: o.userId.toLowerCase(),
            team_id: "T0FAKE",
          },
          api_app_id: "A0FAKE",
          token: "verification",
          container: { type: "message", message_ts: o.ts, channel_id: o.channel, is_ephemeral: false },
          trigger_id: `trig.${randomUUID()}`,
          team: { id: "T0FAKE", domain: "fake" },
          channel: { id: o.channel, name: "general" },
          message: {
            type: "message",
            user: botUserId,
            bot_id: botId,
            ts: o.ts,
            text: params.text,
            blocks,
            ...(params.thread_ts ? { thread_ts: params.thread_ts } : {}),
          },
          response_url: `${base}/actions/${randomUUID()}`,
          actions: [{ ...button, block_id: "b", action_ts: nextTs() }],
        },
      };
      envelopes.push(env);
      deliver();
      return env.id;
    },
    disconnect() {
      if (!active) return;
      active.draining = true;
      sendText(active.socket, {
        type: "disconnect",
        reason: "refresh_requested",
        debug_info: { host: "fake-slack" },
      });
    },
    addFile(data, o) {
      const id = `F${String(files.size + 1).padStart(8, "0")}`;
      const url = `${base}/files/${id}/${encodeURIComponent(o.name)}`;
      const file = {
        id,
        name: o.name,
        mimetype: o.mimetype,
        url_private: url,
        url_private_download: `${url}?download=1`,
        size: o.reportedSize ?? data.byteLength,
      };
      files.set(id, { data, file });
      return file;
    },
    dropRequests: (method, count) => drops.set(method, count),
    hangRequests: (method) => hangs.add(method),
    waitFor: async (predicate, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  if (!body) return {};
  if ((req.headers["content-type"] ?? "").includes("application/json"))
    return JSON.parse(body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(body));
}

function sendText(socket: Socket, value: unknown) {
  writeFrame(socket, 0x1, Buffer.from(JSON.stringify(value), "utf8"));
}

/** Server frames are never masked (RFC 6455 §5.1). */
function writeFrame(socket: Socket, opcode: number, payload: Buffer) {
  if (socket.destroyed || !socket.writable) return;
  const len = payload.byteLength;
  const head =
    len < 126
      ? Buffer.from([0x80 | opcode, len])
      : len < 65536
        ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(len)]);
  socket.write(Buffer.concat([head, payload]));
}

function bigLength(len: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(len));
  return b;
}

/** Takes one complete (client-masked) frame off the buffer, or undefined if more bytes are needed. */
function readFrame(conn: Connection): { opcode: number; payload: Buffer } | undefined {
  const b = conn.buffer;
  if (b.length < 2) return undefined;
  const opcode = (b[0] ?? 0) & 0x0f;
  const masked = ((b[1] ?? 0) & 0x80) !== 0;
  let len = (b[1] ?? 0) & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (b.length < 4) return undefined;
    len = b.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (b.length < 10) return undefined;
    len = Number(b.readBigUInt64BE(2));
    offset = 10;
  }
  const maskLen = masked ? 4 : 0;
  if (b.length < offset + maskLen + len) return undefined;
  const mask = b.subarray(offset, offset + maskLen);
  const payload = Buffer.from(b.subarray(offset + maskLen, offset + maskLen + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  conn.buffer = b.subarray(offset + maskLen + len);
  return { opcode, payload };
}
