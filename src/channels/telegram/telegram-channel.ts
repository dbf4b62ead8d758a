import { Bot, GrammyError } from "grammy";
import type { CallbackQuery, Message, UserFromGetMe } from "grammy/types";
import { backoffDelay, DEFAULT_RETRY, type RetryOptions, sleep } from "../../core/base/backoff.js";
import { envProxyFetch } from "../../core/base/env-proxy.js";
import type { Paths } from "../../core/base/paths.js";
import { redactText } from "../../core/base/redact.js";
import type {
  Channel,
  InboundMedia,
  InboundMessage,
  InboundSink,
  OutboundMessage,
} from "../../core/bus/types.js";
import { telegramApiRoot } from "../../core/config/channels.js";
import type { TelegramConfig } from "../../core/config/schema.js";
import { errorText } from "../error-text.js";
import { MAX_MEDIA_BYTES, skippedFileNote } from "../media-store.js";
import { grammyFetch } from "./telegram-fetch.js";
import { classifyTelegramMessage } from "./telegram-inbound.js";
import { downloadTelegramMedia } from "./telegram-media.js";
import { parseChoiceData, type SendPolicy, sendTelegramReply } from "./telegram-send.js";

/** grammy types signals with its polyfill; the native AbortSignal is what it actually listens to. */
type GrammySignal = NonNullable<Parameters<Bot["api"]["getMe"]>[0]>;
const asGrammySignal = (signal: AbortSignal) => signal as unknown as GrammySignal;

const TYPING_EVERY_MS = 4_000;

export interface TelegramChannelOptions {
  config: TelegramConfig;
  paths: Paths;
  log: (level: "info" | "warn" | "error", msg: string) => void;
  /** Reconnect backoff; default 5 s doubling to 60 s. */
  retry?: RetryOptions;
  /** getUpdates long-poll timeout in seconds; default 30. */
  pollTimeoutS?: number;
  /** For media downloads; default global fetch. */
  fetch?: typeof fetch;
  /** How often the typing indicator is renewed (Telegram shows it for ~5 s); default 4000. */
  typingEveryMs?: number;
  /** Retries and per-request timeout for replies; default 3 retries from 1 s, 30 s timeout. */
  sendPolicy?: SendPolicy;
  /** Clock for receivedAt. */
  now?: () => Date;
}

/** Telegram over the Bot API with long polling (grammy). */
export function createTelegramChannel(opts: TelegramChannelOptions): Channel {
  const { config } = opts;
  const token = config.token;
  if (!token) throw new Error("channels.telegram.token is not set (get one from @BotFather)");
  const apiRoot = telegramApiRoot(config);
  const retry = opts.retry ?? DEFAULT_RETRY;
  const now = opts.now ?? (() => new Date());
  const log = (level: "info" | "warn" | "error", msg: string) => opts.log(level, redactText(msg, [token]));
  // grammy fetches with node-fetch on its own http agents; behind HTTPS_PROXY it gets undici's fetch
  // through the proxy (Node's own proxyEnv agents exist only from Node 24.5).
  const proxyFetch = envProxyFetch();
  const bot = new Bot(token, {
    client: { apiRoot, ...(proxyFetch ? { fetch: grammyFetch(proxyFetch) } : {}) },
  });
  let me: UserFromGetMe | undefined;
  let abort = new AbortController();
  let polling: Promise<void> | undefined;
  let offset = 0;
  const typers = new Set<ReturnType<typeof setInterval>>();
  // Questions sent with buttons and not answered yet, by questionId: what closeChoices edits.
  const openQuestions = new Map<string, { chatId: string; messageId: number; text: string }>();

  async function connect(signal: AbortSignal): Promise<UserFromGetMe | undefined> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const info = await bot.api.getMe(asGrammySignal(signal));
        await bot.api.deleteWebhook({}, asGrammySignal(signal));
        return info;
      } catch (err) {
        if (signal.aborted) return undefined;
        if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
          throw new Error(`telegram: the bot token was rejected (${err.error_code} ${err.description})`);
        }
        const delay = backoffDelay(attempt, retry);
        log("warn", `telegram: cannot reach the Bot API (${errorText(err)}); retrying in ${delay} ms`);
        await sleep(delay, signal);
      }
    }
    return undefined;
  }

  async function pollLoop(sink: InboundSink, signal: AbortSignal, pollTimeoutS: number): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const updates = await bot.api.getUpdates(
          { offset, timeout: pollTimeoutS, allowed_updates: ["message", "callback_query"] },
          asGrammySignal(signal),
        );
        if (failures > 0) log("info", "telegram: polling recovered");
        failures = 0;
        for (const update of updates) {
          offset = update.update_id + 1;
          if (update.message) await onMessage(update.message, sink);
          if (update.callback_query) await onButton(update.callback_query, sink);
        }
      } catch (err) {
        if (signal.aborted) break;
        const delay = backoffDelay(failures++, retry);
        log("warn", `telegram: polling failed (${errorText(err)}); retrying in ${delay} ms`);
        await sleep(delay, signal);
      }
    }
  }

  async function onMessage(msg: Message, sink: InboundSink): Promise<void> {
    if (!me) return;
    const decision = classifyTelegramMessage(msg, me, config);
    if (decision.kind === "ignore") {
      if (decision.unauthorized) log("warn", `telegram: ignored a message from ${decision.reason}`);
      return;
    }
    const media: InboundMedia[] = [];
    const skipped: string[] = [];
    for (const ref of decision.media) {
      if (ref.size !== undefined && ref.size > MAX_MEDIA_BYTES) {
        skipped.push(skippedFileNote(ref.name, { size: ref.size }));
        continue;
      }
      try {
        media.push(
          await downloadTelegramMedia(
            {
              api: bot.api,
              apiRoot,
              token: token as string,
              mediaDir: opts.paths.media,
              fetch: opts.fetch ?? proxyFetch ?? fetch,
            },
            ref,
          ),
        );
      } catch (err) {
        const error = redactText(errorText(err), [token as string]);
        log("warn", `telegram: could not download a ${ref.kind}: ${error}`);
        skipped.push(skippedFileNote(ref.name, { error }));
      }
    }
    for (const note of skipped) log("warn", `telegram: ${note}`);
    const text = [decision.text, ...skipped].filter((t) => t !== "").join("\n");
    if (text === "" && media.length === 0) return;
    const inbound: InboundMessage = {
      channel: "telegram",
      chatId: String(msg.chat.id),
      senderId: String(msg.from?.id ?? ""),
      text,
      sessionKey: decision.sessionKey,
      messageId: String(msg.message_id),
      receivedAt: now().toISOString(),
      ...(decision.threadId ? { threadId: decision.threadId } : {}),
      ...(decision.senderName ? { senderName: decision.senderName } : {}),
      ...(decision.command ? { command: decision.command } : {}),
      ...(media.length > 0 ? { media } : {}),
    };
    sink.publish(inbound);
  }

  /**
   * An approval button pressed: the bus decides whether this user may answer; the presser sees
   * the outcome as a toast, and an accepted answer replaces the buttons with who chose what.
   */
  async function onButton(query: CallbackQuery, sink: InboundSink): Promise<void> {
    const choice = parseChoiceData(query.data);
    const message = query.message;
    const outcome =
      choice && message && sink.choose
        ? sink.choose({
            channel: "telegram",
            chatId: String(message.chat.id),
            senderId: String(query.from.id),
            ...(query.from.username || query.from.first_name
              ? { senderName: query.from.username ?? query.from.first_name }
              : {}),
            ...choice,
          })
        : { accepted: false, note: "This button is not for kavilo any more." };
    await bot.api
      .answerCallbackQuery(query.id, { text: outcome.note, show_alert: !outcome.accepted })
      .catch((err: unknown) => log("warn", `telegram: answering a button press failed: ${errorText(err)}`));
    if (!outcome.accepted || !message || !choice) return;
    openQuestions.delete(choice.questionId);
    const pressed =
      "reply_markup" in message
        ? message.reply_markup?.inline_keyboard
            .flat()
            .find((b) => "callback_data" in b && b.callback_data === query.data)
        : undefined;
    const text = "text" in message && message.text ? message.text : "";
    const who = query.from.username
      ? `@${query.from.username}`
      : (query.from.first_name ?? String(query.from.id));
    await bot.api
      .editMessageText(
        message.chat.id,
        message.message_id,
        `${text}\n\n→ ${pressed?.text ?? choice.value} (${who})`,
      )
      .catch((err: unknown) => log("warn", `telegram: updating the question failed: ${errorText(err)}`));
  }

  return {
    name: "telegram",
    async start(sink) {
      if (polling) return;
      abort = new AbortController();
      const signal = abort.signal;
      if (config.allowFrom.length === 0) {
        log(
          "warn",
          'telegram: channels.telegram.allowFrom is empty, so every sender is ignored; add ids or "*"',
        );
      }
      me = await connect(signal);
      if (!me) return;
      bot.botInfo = me;
      log("info", `telegram: connected as @${me.username}`);
      polling = pollLoop(sink, signal, opts.pollTimeoutS ?? 30);
    },
    async stop() {
      abort.abort();
      for (const t of typers) clearInterval(t);
      typers.clear();
      if (!polling) return;
      await polling;
      polling = undefined;
      // Confirm what was handled so a restart does not see it again.
      if (offset > 0) await bot.api.getUpdates({ offset, limit: 1, timeout: 0 }).catch(() => undefined);
    },
    async send(msg: OutboundMessage) {
      try {
        const last = await sendTelegramReply(bot.api, msg, log, opts.sendPolicy);
        if (msg.choices && last) {
          openQuestions.set(msg.choices.questionId, {
            chatId: msg.chatId,
            messageId: last.message_id,
            text: last.text,
          });
        }
      } catch (err) {
        throw new Error(
          `telegram: sending to chat ${msg.chatId} failed: ${redactText(errorText(err), [token])}`,
        );
      }
    },
    /** An unanswered question: its buttons give way to the outcome (editMessageText without a keyboard). */
    async closeChoices(_target, questionId, outcome) {
      const q = openQuestions.get(questionId);
      if (!q) return;
      openQuestions.delete(questionId);
      try {
        await bot.api.editMessageText(q.chatId, q.messageId, `${q.text}\n\n${outcome}`);
      } catch (err) {
        throw new Error(`telegram: editing the question in chat ${q.chatId} failed: ${errorText(err)}`);
      }
    },
    showWorking(msg: InboundMessage) {
      const other = msg.threadId ? { message_thread_id: Number(msg.threadId) } : {};
      const ping = () => void bot.api.sendChatAction(msg.chatId, "typing", other).catch(() => undefined);
      ping();
      const timer = setInterval(ping, opts.typingEveryMs ?? TYPING_EVERY_MS);
      typers.add(timer);
      return () => {
        clearInterval(timer);
        typers.delete(timer);
      };
    },
  };
}
