import { type Api, GrammyError } from "grammy";
import type { OutboundMessage } from "../../core/bus/types.js";
import { sleep } from "../backoff.js";
import { errorText } from "../redact.js";
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

/** Sends a reply in order; a chunk whose entities Telegram rejects goes again as plain text. */
export async function sendTelegramReply(api: Api, msg: OutboundMessage, log: Log): Promise<void> {
  const chunks = telegramChunks(msg.text);
  const thread = msg.threadId ? { message_thread_id: Number(msg.threadId) } : {};
  for (const [i, chunk] of chunks.entries()) {
    const reply =
      i === 0 && msg.replyTo
        ? { reply_parameters: { message_id: Number(msg.replyTo), allow_sending_without_reply: true } }
        : {};
    const base = { ...thread, ...reply };
    try {
      await withRateLimit(() => api.sendMessage(msg.chatId, chunk.html, { ...base, parse_mode: "HTML" }));
    } catch (err) {
      if (!isEntityError(err)) throw err;
      log("warn", `telegram: HTML rejected (${errorText(err)}); resending chunk ${i + 1} as plain text`);
      await withRateLimit(() => api.sendMessage(msg.chatId, chunk.markdown.slice(0, 4096), base));
    }
  }
}

function isEntityError(err: unknown): boolean {
  return (
    err instanceof GrammyError &&
    err.error_code === 400 &&
    /parse entities|start tag|end tag|entity/i.test(err.description)
  );
}

/** Honours Telegram's 429 retry_after a few times before giving up. */
async function withRateLimit<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const wait =
        err instanceof GrammyError && err.error_code === 429 ? err.parameters.retry_after : undefined;
      if (wait === undefined || attempt >= 3) throw err;
      await sleep(Math.min(wait, 60) * 1000);
    }
  }
}
