import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";

/**
 * Wraps a transport so that "the client is done sending" (stdin ended) closes it only after
 * every request already received has been answered. A client may write its last request and
 * close stdin at once (`echo ... | kavilo mcp serve self`); closing right away would drop
 * the answer, because the SDK discards responses once its transport is gone.
 */
export class DrainingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  private readonly pending = new Set<RequestId>();
  private ending = false;

  constructor(private readonly inner: Transport) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (err) => this.onerror?.(err);
    inner.onmessage = (message, extra) => {
      if ("method" in message && "id" in message) this.pending.add(message.id);
      this.onmessage?.(message, extra);
    };
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    await this.inner.send(message, options);
    if (!("method" in message) && "id" in message && message.id !== undefined) {
      this.pending.delete(message.id);
      this.closeIfDrained();
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** No more input will come: close as soon as the requests in flight are answered. */
  endOfInput(): void {
    this.ending = true;
    this.closeIfDrained();
  }

  private closeIfDrained(): void {
    if (this.ending && this.pending.size === 0) void this.inner.close().catch(() => {});
  }
}
