import { SocketModeClient, type SocketModeDispatcher } from "@slack/socket-mode";
import { ErrorCode, WebClient, type WebClientOptions } from "@slack/web-api";
import { backoffDelay, DEFAULT_RETRY, type RetryOptions, sleep } from "../../core/base/backoff.js";
import { envProxyDispatcher } from "../../core/base/env-proxy.js";
import type { Paths } from "../../core/base/paths.js";
import { redactText } from "../../core/base/redact.js";
import { slackLogger } from "../../core/base/slack-sdk-logger.js";
import type {
  Channel,
  InboundMedia,
  InboundMessage,
  InboundSink,
  OutboundMessage,
} from "../../core/bus/types.js";
import { slackApiUrl } from "../../core/config/channels.js";
import type { SlackConfig } from "../../core/config/schema.js";
import { errorText } from "../error-text.js";
import { MAX_MEDIA_BYTES, skippedFileNote } from "../media-store.js";
import { markdownToMrkdwn } from "../text/slack-mrkdwn.js";
import { splitMarkdown } from "../text/split-markdown.js";
import { answeredBlocks, choiceBlocks, parseSlackPress } from "./slack-choices.js";
import { eventsApiPayload, slackMessageEvent } from "./slack-event.js";
import { downloadSlackFile } from "./slack-files.js";
import { classifySlackEvent, type SlackIdentity } from "./slack-inbound.js";

const CHUNK = 3500;
/** Platform errors that retrying cannot fix: the tokens or the app setup are wrong. */
const FATAL =
  /invalid_auth|not_authed|account_inactive|token_revoked|token_expired|not_allowed_token_type|missing_scope/;

export interface SlackChannelOptions {
  config: SlackConfig;
  paths: Paths;
  log: (level: "info" | "warn" | "error", msg: string) => void;
  /** Backoff for (re)connecting and Web API retries; default 5 s doubling to 60 s. */
  retry?: RetryOptions;
  /** Socket Mode ping timeout; also the SDK's delay before reconnecting. Default 5000. */
  clientPingTimeoutMs?: number;
  /** Per Web API request; the SDK's default is none, so one stuck post would stall its session. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** Slack over Socket Mode: events in through the WebSocket, replies out through the Web API. */
export function createSlackChannel(opts: SlackChannelOptions): Channel {
  const { config } = opts;
  const { botToken, appToken } = config;
  if (!botToken) throw new Error("channels.slack.botToken is not set (xoxb-...)");
  if (!appToken) throw new Error("channels.slack.appToken is not set (xapp-..., with connections:write)");
  const apiUrl = slackApiUrl(config);
  const retry = opts.retry ?? DEFAULT_RETRY;
  const now = opts.now ?? (() => new Date());
  const secrets = [botToken, appToken];
  const log = (level: "info" | "warn" | "error", msg: string) => opts.log(level, redactText(msg, secrets));
  const logger = slackLogger(log, secrets);
  const webOptions = (retries: number, forever: boolean): WebClientOptions => ({
    slackApiUrl: apiUrl,
    logger,
    timeout: opts.requestTimeoutMs ?? 30_000,
    retryConfig: {
      retries,
      forever,
      factor: 2,
      minTimeout: retry.baseMs,
      maxTimeout: retry.maxMs,
      randomize: true,
    },
  });
  const web = new WebClient(botToken, webOptions(3, false));
  let socket: SocketModeClient | undefined;
  let me: SlackIdentity | undefined;
  let abort = new AbortController();
  let queue: Promise<void> = Promise.resolve();
  const seen = new Map<string, true>();
  const names = new Map<string, string>();
  // Questions posted with buttons and not answered yet, by questionId: what closeChoices updates.
  const openQuestions = new Map<string, { channel: string; ts: string; text: string }>();

  /** Remembers a message id; false when it was already handled (app_mention + message, redelivery). */
  function firstSighting(key: string): boolean {
    if (seen.has(key)) return false;
    seen.set(key, true);
    if (seen.size > 2000) seen.delete(seen.keys().next().value as string);
    return true;
  }

  async function senderName(userId: string): Promise<string | undefined> {
    if (names.has(userId)) return names.get(userId);
    try {
      const res = await web.users.info({ user: userId });
      const name = res.user?.profile?.display_name || res.user?.real_name || res.user?.name;
      if (name) names.set(userId, name);
      return name;
    } catch {
      return undefined;
    }
  }

  async function handleEvent(raw: unknown, sink: InboundSink): Promise<void> {
    const envelope = eventsApiPayload.safeParse(raw);
    if (!envelope.success || !me) return;
    const parsed = slackMessageEvent.safeParse(envelope.data.event);
    if (!parsed.success) return;
    const ev = parsed.data;
    const decision = classifySlackEvent(ev, me, config);
    if (decision.kind === "ignore") {
      if (decision.unauthorized && firstSighting(`${ev.channel}:${ev.ts}`)) {
        log("warn", `slack: ignored a message from ${decision.reason} in ${ev.channel}`);
      }
      return;
    }
    if (!firstSighting(`${ev.channel}:${ev.ts}`)) return;
    const media: InboundMedia[] = [];
    const skipped: string[] = [];
    for (const file of decision.files) {
      const fileName = file.name ?? file.id;
      if (file.size !== undefined && file.size > MAX_MEDIA_BYTES) {
        skipped.push(skippedFileNote(fileName, { size: file.size }));
        continue;
      }
      try {
        media.push(
          await downloadSlackFile(file, {
            botToken: botToken as string,
            apiUrl,
            mediaDir: opts.paths.media,
            fetch: opts.fetch ?? fetch,
          }),
        );
      } catch (err) {
        const error = redactText(errorText(err), secrets);
        log("warn", `slack: could not download a shared file: ${error}`);
        skipped.push(skippedFileNote(fileName, { error }));
      }
    }
    for (const note of skipped) log("warn", `slack: ${note}`);
    const text = [decision.text, ...skipped].filter((t) => t !== "").join("\n");
    if (text === "" && media.length === 0) return;
    const name = ev.user ? await senderName(ev.user) : undefined;
    sink.publish({
      channel: "slack",
      chatId: ev.channel,
      senderId: decision.senderId,
      text,
      sessionKey: decision.sessionKey,
      messageId: ev.ts,
      receivedAt: now().toISOString(),
      ...(decision.threadId ? { threadId: decision.threadId } : {}),
      ...(name ? { senderName: name } : {}),
      ...(media.length > 0 ? { media } : {}),
    });
  }

  /**
   * An approval button pressed (Socket Mode interactivity): the bus decides whether this user may
   * answer. An accepted answer replaces the buttons with who chose what; a refused one is told to
   * the presser alone (an ephemeral message).
   */
  async function handlePress(body: unknown, sink: InboundSink): Promise<void> {
    const press = parseSlackPress(body);
    if (!press || !sink.choose) return;
    const outcome = sink.choose(press.pick);
    const { chatId, senderId } = press.pick;
    if (outcome.accepted) openQuestions.delete(press.pick.questionId);
    if (!outcome.accepted) {
      await web.chat.postEphemeral({
        channel: chatId,
        user: senderId,
        text: outcome.note,
        ...(press.threadTs ? { thread_ts: press.threadTs } : {}),
      });
      return;
    }
    if (!press.messageTs) return;
    const question = press.questionText ?? "";
    const answer = `→ ${press.label} (<@${senderId}>)`;
    await web.chat.update({
      channel: chatId,
      ts: press.messageTs,
      text: `${question}\n${answer}`,
      blocks: answeredBlocks(question, answer),
    });
  }

  function proxyOption(): { dispatcher?: SocketModeDispatcher } {
    const proxy = envProxyDispatcher();
    return proxy ? { dispatcher: proxy } : {};
  }

  function makeSocket(sink: InboundSink): SocketModeClient {
    const client = new SocketModeClient({
      appToken: appToken as string,
      logger,
      clientPingTimeout: opts.clientPingTimeoutMs ?? 5_000,
      // The SDK reconnects on its own after a disconnect; a give-up there would be an unhandled
      // rejection, so let apps.connections.open keep trying (each wait is capped by retry.maxMs).
      clientOptions: webOptions(10, true),
      // Behind HTTPS_PROXY: the WebSocket and the SDK's calls go through the proxy.
      ...proxyOption(),
    });
    client.on(
      "slack_event",
      ({ ack, type, body }: { ack: () => Promise<void>; type: string; body: unknown }) => {
        // Slack redelivers anything not acked within 3 s, so ack first and work afterwards.
        ack().catch((err: unknown) => log("warn", `slack: ack failed: ${errorText(err)}`));
        if (type === "interactive") {
          void handlePress(body, sink).catch((err: unknown) =>
            log("error", `slack: handling a button press failed: ${errorText(err)}`),
          );
          return;
        }
        if (type !== "events_api") return;
        // One queue keeps messages in arrival order while files download.
        queue = queue
          .then(() => handleEvent(body, sink))
          .catch((err: unknown) => log("error", `slack: handling an event failed: ${errorText(err)}`));
      },
    );
    client.on("reconnecting", () => log("info", "slack: reconnecting"));
    return client;
  }

  async function connect(sink: InboundSink, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const auth = await web.auth.test();
        me = { userId: String(auth.user_id ?? ""), ...(auth.bot_id ? { botId: auth.bot_id } : {}) };
        socket = makeSocket(sink);
        await socket.start();
        log("info", `slack: connected as ${auth.user ?? me.userId}`);
        return;
      } catch (err) {
        await socket?.disconnect().catch(() => undefined);
        socket = undefined;
        const code = platformError(err);
        if (code && FATAL.test(code)) throw new Error(`slack: Slack rejected the tokens (${code})`);
        if (signal.aborted) return;
        const delay = backoffDelay(attempt, retry);
        log(
          "warn",
          `slack: cannot connect (${redactText(errorText(err), secrets)}); retrying in ${delay} ms`,
        );
        await sleep(delay, signal);
      }
    }
  }

  return {
    name: "slack",
    async start(sink) {
      if (socket) return;
      abort = new AbortController();
      if (config.allowFrom.length === 0) {
        log(
          "warn",
          'slack: channels.slack.allowFrom is empty, so every sender is ignored; add user ids or "*"',
        );
      }
      await connect(sink, abort.signal);
    },
    async stop() {
      abort.abort();
      const s = socket;
      socket = undefined;
      await s?.disconnect().catch(() => undefined);
      await queue;
    },
    async send(msg: OutboundMessage) {
      const chunks = splitMarkdown(msg.text, CHUNK)
        .map(markdownToMrkdwn)
        .filter((c) => c.trim() !== "");
      for (const [i, text] of chunks.entries()) {
        // Buttons (an approval) go under the last chunk; a press arrives as an interactive envelope.
        const blocks =
          msg.choices && i === chunks.length - 1 ? { blocks: choiceBlocks(text, msg.choices) } : {};
        try {
          const posted = await web.chat.postMessage({
            channel: msg.chatId,
            text,
            mrkdwn: true,
            ...(msg.threadId ? { thread_ts: msg.threadId } : {}),
            ...blocks,
          });
          if (msg.choices && i === chunks.length - 1 && posted.ts) {
            openQuestions.set(msg.choices.questionId, { channel: msg.chatId, ts: posted.ts, text });
          }
        } catch (err) {
          throw new Error(`slack: posting to ${msg.chatId} failed: ${redactText(errorText(err), secrets)}`);
        }
      }
    },
    /** An unanswered question: its buttons give way to the outcome (chat.update). */
    async closeChoices(_target, questionId, outcome) {
      const q = openQuestions.get(questionId);
      if (!q) return;
      openQuestions.delete(questionId);
      try {
        await web.chat.update({
          channel: q.channel,
          ts: q.ts,
          text: `${q.text}\n${outcome}`,
          blocks: answeredBlocks(q.text, outcome),
        });
      } catch (err) {
        throw new Error(
          `slack: updating the question in ${q.channel} failed: ${redactText(errorText(err), secrets)}`,
        );
      }
    },
    showWorking(msg: InboundMessage) {
      if (msg.messageId) {
        web.reactions
          .add({ channel: msg.chatId, timestamp: msg.messageId, name: "eyes" })
          .catch((err: unknown) => {
            if (platformError(err) !== "already_reacted")
              log("warn", `slack: reaction failed: ${errorText(err)}`);
          });
      }
      return () => {};
    },
  };
}

function platformError(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
}
