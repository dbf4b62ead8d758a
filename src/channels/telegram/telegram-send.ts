import { type Api, GrammyError, HttpError } from "grammy";
import type { Message } from "grammy/types";
import { backoffDelay, sleep } from "../../core/base/backoff.js";
import type { OutboundChoices, OutboundMessage } from "../../core/bus/types.js";
import { errorText } from "../error-text.js";
import { splitMarkdown } from "../text/split-markdown.js";
import { markdownToTelegramHtml } from "../text/telegram-html.js";

/** Telegram's cap is 4096 characters; stay below it after HTML escaping. */
const MAX_HTML = 4000;
const FIRST_SPLIT = 3500;

export interface TelegramChunk {
  markdown: string;
  html: string;
}

/** Markdown → HTML chunks, each under Telegram's limit and never cut inside a code block. */
export function telegramChunks(markdown: string, budget = FIRST_SPLIT): TelegramChunk[] {
  return splitMarkdown(markdown, budget).flatMap((md) => {
    const html = markdownToTelegramHtml(md);
    if (html.length <= MAX_HTML) return html.trim() === "" ? [] : [{ markdown: md, html }];
    // Escaping grew this chunk past the cap (many & < >): split it finer.
    return telegramChunks(md, Math.max(200, Math.floor(budget / 2)));
  });
}

type Log = (level: "info" | "warn" | "error", msg: string) => void;

/** grammy types signals with its polyfill; the native AbortSignal is what it actually listens to. */
type GrammySignal = NonNullable<Parameters<Api["sendMessage"]>[3]>;

/** How hard one chunk is pushed through before the reply counts as failed. */
export interface SendPolicy {
  /** Retries after the first try, for network errors, timeouts, 5xx and 429. */
  retries: number;
  /** Wait before the first retry, doubling after each (429 waits retry_after instead). */
  baseMs: number;
  /** Per request: grammy's own default is 500 s, which would stall the whole session. */
  timeoutMs: number;
}

export const DEFAULT_SEND_POLICY: SendPolicy = { retries: 3, baseMs: 1_000, timeoutMs: 30_000 };

/**
 * Sends a reply in order; a chunk whose entities Telegram rejects goes again as plain text.
 * Resolves to the last message sent (the one that carries any buttons).
 */
export async function sendTelegramReply(
  api: Api,
  msg: OutboundMessage,
  log: Log,
  policy: SendPolicy = DEFAULT_SEND_POLICY,
): Promise<Message.TextMessage | undefined> {
  let last: Message.TextMessage | undefined;
  const chunks = telegramChunks(msg.text);
  const thread = msg.threadId ? { message_thread_id: Number(msg.threadId) } : {};
  for (const [i, chunk] of chunks.entries()) {
    const reply =
      i === 0 && msg.replyTo
        ? { reply_parameters: { message_id: Number(msg.replyTo), allow_sending_without_reply: true } }
        : {};
    // Buttons (an approval) go under the last chunk; a press comes back as a callback query.
    const buttons =
      i === chunks.length - 1 && msg.choices ? { reply_markup: inlineKeyboard(msg.choices) } : {};
    const base = { ...thread, ...reply, ...buttons };
    try {
      last = await withRetry(
        (signal) => api.sendMessage(msg.chatId, chunk.html, { ...base, parse_mode: "HTML" }, signal),
        policy,
        log,
      );
    } catch (err) {
      if (!isEntityError(err)) throw err;
      log("warn", `telegram: HTML rejected (${errorText(err)}); resending chunk ${i + 1} as plain text`);
      last = await withRetry(
        (signal) => api.sendMessage(msg.chatId, chunk.markdown.slice(0, 4096), base, signal),
        policy,
        log,
      );
    }
  }
  return last;
}

/** Callback data of a choice button: `kv:<questionId>:<value>` (Telegram allows 64 bytes). */
export function choiceData(questionId: string, value: string): string {
  return `kv:${questionId}:${value}`;
}

export function parseChoiceData(data: string | undefined): { questionId: string; value: string } | undefined {
  const m = /^kv:([\w-]+):([\w-]+)$/.exec(data ?? "");
  return m?.[1] && m[2] ? { questionId: m[1], value: m[2] } : undefined;
}

function inlineKeyboard(choices: OutboundChoices) {
  return {
    inline_keyboard: [
      choices.options.map((o) => ({ text: o.label, callback_data: choiceData(choices.questionId, o.value) })),
    ],
  };
}

function isEntityError(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    /parse entities|start tag|end tag|entity/i.test(err.description)
  );
}

/** Milliseconds to wait before retrying `err`, or undefined when retrying cannot help (400, 403 ...). */
function retryWait(err: unknown, attempt: number, policy: SendPolicy): number | undefined {
  const backoff = () => backoffDelay(attempt, { baseMs: policy.baseMs, maxMs: 60_000 });
  if (err instanceof GrammyError) {
    if (err.error_code === 429) return Math.min(err.parameters.retry_after ?? 1, 60) * 1000;
    return err.error_code >= 500 ? backoff() : undefined;
  }
  // HttpError: the request never got a Bot API answer (reset, refused, DNS, timeout, a proxy's HTML).
  return err instanceof HttpError ? backoff() : undefined;
}

/**
 * One Bot API call with a timeout, retried on network failures, 5xx and 429. A timed-out send
 * may have reached Telegram; sending it twice is the lesser evil next to losing the reply.
 */
async function withRetry<T>(
  call: (signal: GrammySignal) => Promise<T>,
  policy: SendPolicy,
  log: Log,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(AbortSignal.timeout(policy.timeoutMs) as unknown as GrammySignal);
    } catch (err) {
      const wait = retryWait(err, attempt, policy);
      if (wait === undefined || attempt >= policy.retries) throw err;
      log("warn", `telegram: sending failed (${errorText(err)}); retrying in ${wait} ms`);
      await sleep(wait);
    }
  }
}
