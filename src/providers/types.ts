/**
 * kavilo's own, vendor-neutral model types. No SDK type crosses this boundary.
 */

export interface TextPart {
  type: "text";
  text: string;
}

export interface ImagePart {
  type: "image";
  /** e.g. image/png */
  mediaType: string;
  /** base64 without a data: prefix */
  data: string;
}

export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments (an object for well-behaved models). */
  args: unknown;
}

export type Message =
  | { role: "user"; content: string | ContentPart[] }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[]; reasoning?: string }
  | {
      role: "tool";
      toolCallId: string;
      toolName: string;
      content: string | ContentPart[];
      isError?: boolean;
    };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments (type: object). */
  parameters: Record<string, unknown>;
}

export type ReasoningEffort = "low" | "medium" | "high";

export interface ChatRequest {
  model: string;
  system?: string;
  messages: Message[];
  tools?: ToolSpec[];
  maxTokens?: number;
  temperature?: number;
  reasoningEffort?: ReasoningEffort;
  /** Stable key of the conversation, for providers that use it as a cache key. */
  sessionKey?: string;
  /** Forces a call of this tool (memory consolidation's save_memory); default: the model chooses. */
  toolChoice?: { name: string };
}

export interface Usage {
  input: number;
  output: number;
  reasoning?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export type FinishReason = "stop" | "tool-calls" | "length" | "content-filter" | "other";

export type ProviderErrorCode =
  | "auth"
  | "rate_limit"
  | "server"
  | "timeout"
  | "network"
  | "bad_request"
  | "not_found"
  | "aborted"
  | "unknown";

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly status: number | undefined;
  readonly provider: string;
  readonly hint: string | undefined;

  constructor(
    message: string,
    opts: { code: ProviderErrorCode; provider: string; status?: number; hint?: string; cause?: unknown },
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = "ProviderError";
    this.code = opts.code;
    this.status = opts.status;
    this.provider = opts.provider;
    this.hint = opts.hint;
  }
}

export type StreamEvent =
  | { type: "text-delta"; text: string }
  | { type: "reasoning-delta"; text: string }
  | { type: "tool-call"; id: string; name: string; args: unknown }
  | { type: "usage"; usage: Usage }
  | {
      type: "retry";
      attempt: number;
      delayMs: number;
      reason: string;
      fresh: boolean;
      /** Retries the policy allows in all, for "(2/4)". */
      maxRetries?: number;
      /** The HTTP status that caused the retry, if there was one. */
      status?: number;
    }
  | { type: "finish"; reason: FinishReason }
  | { type: "error"; error: ProviderError; retryable: boolean };

/**
 * A model endpoint. `stream` never throws: failures arrive as an `error` event,
 * and every stream ends with exactly one `finish` or `error`.
 */
export interface Provider {
  readonly id: string;
  stream(req: ChatRequest, signal?: AbortSignal): AsyncIterable<StreamEvent>;
}
