import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { TurnRequest } from "../../core/agent/types.js";
import type { Logger } from "../../core/base/logger.js";
import type { MessageBus } from "../../core/bus/message-bus.js";
import type { TurnOutcome } from "../../core/bus/run-turn.js";
import type { OutboundMessage } from "../../core/bus/types.js";
import type { Config } from "../../core/config/schema.js";
import { type CronService, createCronService } from "../../core/cron/service.js";
import type { CronStore } from "../../core/cron/store.js";
import type { CronJob } from "../../core/cron/types.js";
import { createHeartbeat, type Heartbeat } from "../../core/heartbeat/heartbeat.js";

type Send = (msg: OutboundMessage) => Promise<void>;

/**
 * What running one cron job means, wherever it runs (`kavilo start`, `kavilo cron run`): a turn in
 * session cron:<id>; its answer goes to job.deliver, or to `onSilent` for a job with no target.
 * A turn that fails throws, so the service records the job's lastStatus as error.
 */
export function cronJobRunner(
  runTask: (req: TurnRequest) => Promise<TurnOutcome>,
  send: Send,
  log: Logger,
  onSilent: (text: string) => void = () => {},
): (job: CronJob) => Promise<void> {
  return async (job) => {
    const outcome = await runTask({
      sessionKey: `cron:${job.id}`,
      input: job.message,
      ...(job.deliver ? { origin: job.deliver } : {}),
    });
    if (outcome.reason === "error" || outcome.reason === "aborted") {
      throw new Error(outcome.error ?? `the turn ended: ${outcome.reason}`);
    }
    if (!job.deliver) {
      onSilent(outcome.text);
    } else if (outcome.text.trim()) {
      await send({ ...job.deliver, text: outcome.text });
      log.info(`cron job ${job.id} delivered to ${job.deliver.channel}:${job.deliver.chatId}`);
    }
  };
}

/** Cron jobs of `kavilo start`: turns through the message bus, answers through the channel router. */
export function createCronRuntime(
  store: CronStore,
  bus: () => MessageBus,
  send: Send,
  log: Logger,
): CronService {
  return createCronService({ store, log, runJob: cronJobRunner((req) => bus().runTask(req), send, log) });
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** The heartbeat reads <workspace>/HEARTBEAT.md each interval and speaks only when there is something to say. */
export function createHeartbeatRuntime(
  hb: Config["runtime"]["heartbeat"],
  workspace: string,
  bus: () => MessageBus,
  send: Send,
  log: Logger,
): Heartbeat {
  const target = () => hb.target ?? bus().lastActive();
  return createHeartbeat({
    intervalS: hb.intervalS,
    log,
    readHeartbeat: () => readIfExists(join(workspace, "HEARTBEAT.md")),
    async runTurn(prompt) {
      log.debug("heartbeat: HEARTBEAT.md has content; asking the model");
      const to = target();
      const outcome = await bus().runTask({
        sessionKey: "heartbeat",
        input: prompt,
        ...(hb.model ? { model: hb.model } : {}),
        ...(to ? { origin: to } : {}),
      });
      if (outcome.reason === "error") throw new Error(outcome.error ?? "the heartbeat turn failed");
      return outcome.text;
    },
    hasTarget: () => target() !== undefined,
    async deliver(text) {
      const to = target();
      if (!to) return false;
      await send({ ...to, text });
      return true;
    },
  });
}
