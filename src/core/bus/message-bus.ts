import type { ContentPart } from "../../providers/types.js";
import type { Interaction } from "../agent/interaction.js";
import type { AgentRunner } from "../agent/types.js";
import { chatApprover } from "./chat-approval.js";
import { chatInteraction } from "./chat-elicitation.js";
import { turnInputOf } from "./inbound-input.js";
import type { Inbox } from "./inbox.js";
import { PendingChoices } from "./pending-choices.js";
import { PendingQuestions } from "./pending-questions.js";
import { runTurnToEnd, type TurnOutcome } from "./run-turn.js";
import { SchedulerClosedError, SessionScheduler } from "./session-scheduler.js";
import type { ChannelTarget, InboundMessage, InboundSink, OutboundMessage } from "./types.js";

export interface BusLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface MessageBusOptions {
  agent: Pick<AgentRunner, "runTurn" | "resetSession">;
  /** Delivers a reply through the channel it names; rejects when that channel cannot send. */
  send: (msg: OutboundMessage) => Promise<void>;
  /** The channel's "working" indicator for a message; returns its stop function. */
  showWorking?: (msg: InboundMessage) => (() => void) | undefined;
  /** Takes down an unanswered question's buttons (Channel.closeChoices). */
  closeChoices?: (target: ChannelTarget, questionId: string, outcome: string) => Promise<void>;
  maxConcurrentSessions: number;
  log: BusLogger;
  readFile?: (path: string) => Promise<Uint8Array>;
  /** Where accepted messages wait until their turn ends, so a stop or a crash loses none. */
  inbox?: Inbox;
  /** Where a reply the channel could not deliver waits for another try (UndeliveredReplies). */
  undelivered?: { keep(msg: OutboundMessage, err: unknown): Promise<string> };
}

/** A turn that is not a chat message: cron jobs, heartbeats, sub-agents. */
export interface TaskRequest {
  sessionKey: string;
  input: string | ContentPart[];
  model?: string;
  origin?: ChannelTarget;
  maxToolSteps?: number;
  /** Who to ask in this turn (a sub-agent asks the chat user who started it). */
  interaction?: Interaction;
}

export interface ShutdownResult {
  /** Turns still running at the deadline, aborted. */
  aborted: number;
  /** Messages and tasks that never started. */
  dropped: number;
}

export interface MessageBus extends InboundSink {
  /** Runs a turn on the session's queue (in order with that session's messages). */
  runTask(req: TaskRequest): Promise<TurnOutcome>;
  /** The chat of the last message the bus accepted: where heartbeats go without a target. */
  lastActive(): ChannelTarget | undefined;
  /** Stops taking messages, lets running and queued turns finish until the deadline, aborts the rest. */
  shutdown(deadlineMs: number): Promise<ShutdownResult>;
  /** Queues the messages the inbox still holds from before the last stop; returns how many. Call before channels start. */
  replayPending(): Promise<number>;
  readonly stats: { received: number; answered: number; failed: number };
}

export const HELP_TEXT = [
  "I am kavilo, your assistant. Write to me in plain words.",
  "/new starts a fresh conversation (the old one is archived)",
  "/stop stops what I am doing right now",
  "/help shows this help",
].join("\n");

/** How many starts may replay one unanswered message before it is given up. */
const MAX_REPLAYS = 3;
/** After aborting at the deadline, how long shutdown waits for the aborted work to wind down. */
const ABORT_GRACE_MS = 2000;

const COMMAND_TEXT = /^\/(new|stop|help)(?:@\w+)?\s*$/i;

function targetOf(msg: InboundMessage): ChannelTarget {
  return { channel: msg.channel, chatId: msg.chatId, ...(msg.threadId ? { threadId: msg.threadId } : {}) };
}

function commandOf(msg: InboundMessage): InboundMessage["command"] {
  if (msg.command) return msg.command;
  // Slack and others pass "/new" as plain text.
  const m = COMMAND_TEXT.exec(msg.text.trim());
  return m?.[1] ? (m[1].toLowerCase() as InboundMessage["command"]) : undefined;
}

const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s).replace(/\s+/g, " ");

/**
 * Channel messages to agent turns: queued per session, processed in order within a session and
 * concurrently across sessions, replies routed back to where each message came from.
 */
export function createMessageBus(opts: MessageBusOptions): MessageBus {
  const { agent, log } = opts;
  const scheduler = new SessionScheduler(opts.maxConcurrentSessions);
  const stats = { received: 0, answered: 0, failed: 0 };
  let accepting = true;
  let last: ChannelTarget | undefined;
  // An MCP server's question to the user of a running turn; their next message there answers it.
  const questions = new PendingQuestions();
  // A risky tool's approval question (tools.approval), answered with a button by the same user.
  const choices = new PendingChoices();

  const reply = async (msg: InboundMessage, text: string) => {
    const out: OutboundMessage = {
      ...targetOf(msg),
      text,
      ...(msg.messageId ? { replyTo: msg.messageId } : {}),
    };
    try {
      await opts.send(out);
    } catch (err) {
      stats.failed++;
      const why = `${msg.channel}: could not deliver a reply to ${msg.chatId}: ${(err as Error).message}`;
      if (!opts.undelivered) {
        log.error(why);
        return;
      }
      // Kept on disk and retried (also after a restart) rather than lost.
      await opts.undelivered.keep(out, err).then(
        (file) => log.warn(`${why}; kept in ${file} and retried`),
        (keepErr: unknown) =>
          log.error(`${why}; and it could not be kept for a retry: ${(keepErr as Error).message}`),
      );
    }
  };

  async function handleTurn(msg: InboundMessage, signal: AbortSignal, inboxId?: string): Promise<void> {
    const stopWorking = opts.showWorking?.(msg);
    const started = Date.now();
    let finished = true;
    try {
      const input = await turnInputOf(msg, opts.readFile ? { readFile: opts.readFile } : {});
      const outcome = await runTurnToEnd(agent, {
        sessionKey: msg.sessionKey,
        input,
        signal,
        origin: targetOf(msg),
        interaction: {
          ...chatInteraction({
            key: { ...targetOf(msg), senderId: msg.senderId },
            questions,
            send: (text) => reply(msg, text),
          }),
          approve: chatApprover({
            key: { ...targetOf(msg), senderId: msg.senderId },
            choices,
            send: (text, buttons) => opts.send({ ...targetOf(msg), text, choices: buttons }),
            close: (questionId, outcome) =>
              opts
                .closeChoices?.(targetOf(msg), questionId, outcome)
                .catch((err: unknown) =>
                  log.warn(
                    `${msg.channel}: could not take down an unanswered question: ${(err as Error).message}`,
                  ),
                ),
          }),
        },
      });
      log.debug(`${msg.sessionKey}: turn ${outcome.reason} in ${Date.now() - started} ms`);
      if (outcome.reason === "aborted") {
        // Stopped by /stop: done. Cut off by shutdown: it stays in the inbox and runs after the restart.
        finished = accepting;
        return;
      }
      if (outcome.reason === "error") {
        stats.failed++;
        log.warn(`${msg.sessionKey}: turn failed: ${outcome.error ?? "unknown error"}`);
        await reply(msg, `Sorry, that failed: ${outcome.error ?? "unknown error"}`);
        return;
      }
      if (!outcome.text.trim()) {
        log.warn(`${msg.sessionKey}: the model gave an empty answer`);
        return;
      }
      await reply(msg, outcome.text);
      stats.answered++;
    } finally {
      stopWorking?.();
      if (inboxId && finished) opts.inbox?.done(inboxId);
    }
  }

  function enqueue(key: string, work: (signal: AbortSignal) => Promise<void>) {
    scheduler.run(key, work).catch((err: unknown) => {
      if (err instanceof SchedulerClosedError) return;
      log.error(`${key}: ${(err as Error).message}`);
    });
  }

  function publish(msg: InboundMessage, replayedId?: string): void {
    if (!accepting) {
      // Kept for the next start rather than dropped (commands are moot by then).
      if (!replayedId && !commandOf(msg)) opts.inbox?.add(msg);
      log.warn(
        `${msg.channel}: a message from ${msg.chatId} arrived during shutdown; ` +
          (opts.inbox ? "it will be answered after the next start" : "it was not processed"),
      );
      return;
    }
    stats.received++;
    const command = commandOf(msg);
    log.info(
      `${msg.channel}: ${command ? `/${command}` : "message"} from ${msg.senderName ?? msg.senderId} in ${msg.chatId}`,
    );
    log.debug(`${msg.sessionKey} <- ${clip(msg.text)}`);
    if (command === "help") {
      void reply(msg, HELP_TEXT);
      return;
    }
    if (command === "stop") {
      const stopped = scheduler.abort(msg.sessionKey);
      void reply(msg, stopped ? "Stopped." : "Nothing is running.");
      return;
    }
    if (!command && questions.take(msg)) {
      log.debug(`${msg.sessionKey}: the message answers a pending question`);
      return;
    }
    last = targetOf(msg);
    if (command === "new") {
      // Queued behind the session's earlier messages, so they still belong to the old conversation.
      enqueue(msg.sessionKey, async () => {
        await agent.resetSession(msg.sessionKey);
        await reply(msg, "Started a new conversation.");
      });
      return;
    }
    const inboxId = replayedId ?? opts.inbox?.add(msg);
    enqueue(msg.sessionKey, (signal) => handleTurn(msg, signal, inboxId));
  }

  return {
    publish: (msg) => publish(msg),
    choose(pick) {
      const outcome = choices.choose(pick);
      log.info(
        `${pick.channel}: ${outcome.accepted ? "" : "refused "}button "${pick.value}" from ${pick.senderName ?? pick.senderId} in ${pick.chatId}`,
      );
      return outcome;
    },
    stats,
    async replayPending() {
      const all = (await opts.inbox?.compact()) ?? [];
      const pending = all.filter((p) => {
        if (p.tries <= MAX_REPLAYS) return true;
        // Replayed at every start and never finished: most likely it is what stops kavilo.
        log.warn(
          `${p.msg.channel}: giving up on a message from ${p.msg.senderName ?? p.msg.senderId} ` +
            `after ${MAX_REPLAYS} restarts: ${clip(p.msg.text)}`,
        );
        opts.inbox?.done(p.id);
        return false;
      });
      if (pending.length > 0) {
        log.info(`answering ${pending.length} message(s) left unanswered when kavilo last stopped`);
      }
      for (const p of pending) publish(p.msg, p.id);
      return pending.length;
    },
    lastActive: () => last,
    runTask(req) {
      if (!accepting) return Promise.reject(new SchedulerClosedError());
      return scheduler.run(req.sessionKey, (signal) =>
        runTurnToEnd(
          agent,
          {
            sessionKey: req.sessionKey,
            input: req.input,
            signal,
            ...(req.model ? { model: req.model } : {}),
            ...(req.origin ? { origin: req.origin } : {}),
            ...(req.interaction ? { interaction: req.interaction } : {}),
          },
          req.maxToolSteps !== undefined ? { maxToolSteps: req.maxToolSteps } : {},
        ),
      );
    },
    async shutdown(deadlineMs) {
      accepting = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<"deadline">((resolve) => {
        timer = setTimeout(() => resolve("deadline"), deadlineMs);
      });
      const first = await Promise.race([scheduler.idle().then(() => "idle" as const), deadline]);
      clearTimeout(timer);
      if (first === "idle") return { aborted: 0, dropped: 0 };
      const dropped = scheduler.dropPending();
      const aborted = scheduler.abortAll();
      // An aborted turn ends promptly (its provider stream is cancelled) and writes what it had;
      // but a reply send that hangs on the platform is not abortable, so it is not waited for long.
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        scheduler.idle(),
        new Promise<void>((resolve) => {
          graceTimer = setTimeout(resolve, ABORT_GRACE_MS);
        }),
      ]);
      clearTimeout(graceTimer);
      return { aborted, dropped };
    },
  };
}
