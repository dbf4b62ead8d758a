import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";

/** The SDK stdio transport's own limit; a longer line is answered with an error and skipped. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

export interface LineTransportOptions {
  maxLineBytes?: number;
  /** One line per rejected input; never the input itself. */
  log: (line: string) => void;
}

type ErrorId = string | number | null;

/** The id of a request that failed validation, when it has a usable one. */
function idOf(value: unknown): ErrorId {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/**
 * Newline-delimited JSON-RPC over stdin/stdout, as the SDK's StdioServerTransport, but bad input
 * never ends the session: a line that is not JSON gets a -32700 reply, JSON that is not JSON-RPC a
 * -32600 reply, a line over the size limit a -32600 reply and is skipped to its end; each is one
 * log line. Writes wait for one shared 'drain', so a thousand pipelined answers add no listeners.
 */
export class LineStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  /** Lines answered with an error instead of being handled. */
  rejected = 0;
  private readonly maxLineBytes: number;
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Inside a line that was too long: drop input until its newline. */
  private skipping = false;
  private drain: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    private readonly stdout: NodeJS.WritableStream,
    private readonly opts: LineTransportOptions,
  ) {
    this.maxLineBytes = opts.maxLineBytes ?? MAX_LINE_BYTES;
  }

  private readonly onData = (chunk: Buffer | string): void => {
    let rest = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    for (;;) {
      const nl = rest.indexOf(0x0a);
      if (nl === -1) {
        if (!this.skipping) this.hold(rest);
        return;
      }
      const head = rest.subarray(0, nl);
      rest = rest.subarray(nl + 1);
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (!this.hold(head)) continue;
      const line = Buffer.concat(this.chunks, this.bytes).toString("utf8");
      this.chunks = [];
      this.bytes = 0;
      this.handle(line.replace(/\r$/, ""));
    }
  };

  private readonly onStdinError = (err: Error): void => this.onerror?.(err);

  /** Buffers part of a line; false (and the line is rejected) once it is over the limit. */
  private hold(part: Buffer): boolean {
    if (this.bytes + part.length > this.maxLineBytes) {
      this.chunks = [];
      this.bytes = 0;
      this.skipping = true;
      this.reject(
        -32600,
        "Invalid Request: message too large",
        null,
        `skipped a message over ${this.maxLineBytes} bytes`,
      );
      return false;
    }
    if (part.length > 0) {
      this.chunks.push(part);
      this.bytes += part.length;
    }
    return true;
  }

  private handle(line: string): void {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.reject(
        -32700,
        "Parse error",
        null,
        `ignored a line that is not JSON (${Buffer.byteLength(line)} bytes)`,
      );
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.reject(-32600, "Invalid Request", idOf(value), "ignored a message that is not JSON-RPC 2.0");
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private reject(code: number, message: string, id: ErrorId, logLine: string): void {
    this.rejected++;
    this.opts.log(logLine);
    const reply = { jsonrpc: "2.0", id, error: { code, message } };
    // The SDK's JSONRPCMessage type has no null id; the JSON-RPC spec requires one here.
    void this.send(reply as unknown as JSONRPCMessage).catch(() => {});
  }

  async start(): Promise<void> {
    this.stdin.on("data", this.onData);
    this.stdin.on("error", this.onStdinError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return;
    if (this.stdout.write(`${JSON.stringify(message)}\n`)) return;
    // One listener however many writes wait: they all resume on the same 'drain'.
    this.drain ??= new Promise<void>((resolve) => {
      this.stdout.once("drain", () => {
        this.drain = undefined;
        resolve();
      });
    });
    await this.drain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off("data", this.onData);
    this.stdin.off("error", this.onStdinError);
    if (this.stdin.listenerCount("data") === 0) this.stdin.pause();
    this.chunks = [];
    this.onclose?.();
  }
}
