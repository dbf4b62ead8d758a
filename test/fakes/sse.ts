/**
 * The shared core of the fake LLM servers: an HTTP server on 127.0.0.1:0 that records requests,
 * tells TCP connections apart, plays scripted steps and injects faults. The vendor files only say
 * how a step looks on their wire.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeToolCall {
  id?: string;
  name: string;
  args: unknown;
}

export interface FakeUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export type FakeFault =
  | "stall"
  | "drop"
  | "no-finish"
  | { status: number; retryAfter?: number; body?: string; contentType?: string };

export interface FakeStep {
  /** A string is split into word chunks; an array is sent chunk by chunk as given. */
  text?: string | string[];
  reasoning?: string;
  toolCalls?: FakeToolCall[];
  usage?: FakeUsage;
  /**
   * "stall": headers, then nothing until the server closes. "drop": part of the stream, then the
   * socket is destroyed. "no-finish": the stream ends cleanly but without its last frames (no finish
   * reason, message_stop or [DONE]). A status: that HTTP status with the vendor's JSON error body, or
   * `body` sent as `contentType` (a 200 HTML captive portal, say).
   */
  fault?: FakeFault;
  /** Wait before answering. */
  delayMs?: number;
  /** Pause between stream frames, so a client sees the answer arrive over time. */
  chunkDelayMs?: number;
}

export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body (the raw text if it was not JSON). */
  body: unknown;
  /** Same number = same TCP connection. */
  connectionId: number;
}

export interface FakeLlmOptions {
  steps?: FakeStep[];
  respond?: (req: RecordedRequest, index: number) => FakeStep;
  /** openai fake only: also answer GET /api/tags like a local Ollama. */
  ollama?: boolean;
  /** Model ids listed by GET /v1/models (openai fake). */
  models?: string[];
}

export interface FakeLlm {
  /** What to pass as apiBase: ends in /v1 for the openai fake, the root for the anthropic fake. */
  url: string;
  /** http://127.0.0.1:port, no path. */
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** How one vendor puts a step on the wire. */
export interface WireFormat {
  /** POST path of the chat endpoint, e.g. /v1/chat/completions. */
  chatPath: string;
  /** SSE frames (each a complete "data: ...\n\n" or "event: ...\ndata: ...\n\n" block). */
  frames(step: FakeStep, req: RecordedRequest): string[];
  /** Non-streaming response body. */
  json(step: FakeStep, req: RecordedRequest): unknown;
  errorBody(status: number): string;
  /** Extra GET routes; returns the JSON to send, or undefined for 404. */
  get?(path: string): unknown;
}

export function textChunks(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  if (Array.isArray(text)) return text;
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Splits a string into up to n non-empty fragments, as servers split tool arguments. */
export function fragments(s: string, n = 3): string[] {
  if (s.length <= 1) return [s];
  const size = Math.ceil(s.length / n);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** A loose view of a recorded JSON body, for assertions. */
export function bodyOf(req: RecordedRequest | undefined): Record<string, unknown> {
  const b = req?.body;
  if (b === null || typeof b !== "object" || Array.isArray(b))
    throw new Error("request body is not a JSON object");
  return b as Record<string, unknown>;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeLlmServer(
  opts: FakeLlmOptions,
  wire: WireFormat,
  basePath: string,
): Promise<FakeLlm> {
  const requests: RecordedRequest[] = [];
  const connIds = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  let nextConn = 0;
  let chatCount = 0;

  const stepFor = (rec: RecordedRequest, i: number): FakeStep => {
    if (opts.respond) return opts.respond(rec, i);
    const steps = opts.steps ?? [];
    return steps[Math.min(i, steps.length - 1)] ?? { text: "ok" };
  };

  async function play(step: FakeStep, rec: RecordedRequest, res: ServerResponse): Promise<void> {
    if (step.delayMs) await sleep(step.delayMs);
    const fault = step.fault;
    if (fault && typeof fault === "object") {
      const headers: Record<string, string> = { "content-type": fault.contentType ?? "application/json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
      res.writeHead(fault.status, headers);
      res.end(fault.body ?? wire.errorBody(fault.status));
      return;
    }
    const streaming = (rec.body as { stream?: unknown } | undefined)?.stream === true;
    if (!streaming && fault === undefined) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(wire.json(step, rec)));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    if (fault === "stall") return; // the socket stays open until close() destroys it
    const frames = wire.frames(step, rec);
    const cut = fault === "drop" || fault === "no-finish";
    const upTo = cut ? Math.max(1, Math.floor(frames.length / 2)) : frames.length;
    for (const f of frames.slice(0, upTo)) {
      res.write(f);
      if (step.chunkDelayMs) await sleep(step.chunkDelayMs);
    }
    if (fault === "drop") {
      // Let the written frames reach the client before the connection dies.
      await sleep(20);
      res.socket?.destroy();
      return;
    }
    res.end();
  }

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const body = await readBody(req);
      const connectionId = connIds.get(req.socket) ?? 0;
      if (req.method === "POST" && path === wire.chatPath) {
        const index = chatCount++;
        const rec: RecordedRequest = {
          index,
          method: "POST",
          path,
          headers: headersOf(req),
          body,
          connectionId,
        };
        requests.push(rec);
        await play(stepFor(rec, index), rec, res);
        return;
      }
      const got = req.method === "GET" ? wire.get?.(path) : undefined;
      if (got !== undefined) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(got));
        return;
      }
      res.writeHead(404, { "content-type": "application/json" });
      res.end(wire.errorBody(404));
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  server.on("connection", (socket: Socket) => {
    connIds.set(socket, ++nextConn);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${basePath}`,
    origin,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Drains an async iterable (a provider stream) into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The text of the last user message of an OpenAI chat request (text parts joined). */
export function lastUserText(req: RecordedRequest): string {
  const messages = (req.body as { messages?: Array<{ role: string; content: unknown }> }).messages ?? [];
  const user = messages.filter((m) => m.role === "user").at(-1);
  if (!user) return "";
  if (typeof user.content === "string") return user.content;
  return (user.content as Array<{ type: string; text?: string }>)
    .map((p) => (p.type === "text" ? (p.text ?? "") : ""))
    .join("");
}
