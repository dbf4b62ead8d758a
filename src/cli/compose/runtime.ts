import type { Logger } from "../../core/base/logger.js";
import { Inbox } from "../../core/bus/inbox.js";
import { createMessageBus, type MessageBus, type ShutdownResult } from "../../core/bus/message-bus.js";
import { outboxDir } from "../../core/bus/outbox-spool.js";
import { type OutboxWatcher, watchOutbox } from "../../core/bus/outbox-watcher.js";
import { sendOrKeep, UndeliveredReplies, undeliveredDir } from "../../core/bus/undelivered.js";
import type { CronService } from "../../core/cron/service.js";
import { createCronStore } from "../../core/cron/store.js";
import type { Heartbeat } from "../../core/heartbeat/heartbeat.js";
import { createCronTool } from "../../core/tools/cron.js";
import { createMessageTool } from "../../core/tools/message.js";
import { createSpawnTool } from "../../core/tools/spawn.js";
import type { CliContext } from "../context.js";
import { composeAgent } from "./agent.js";
import { createChannelRouter } from "./channel-router.js";
import { superviseChannel } from "./channel-supervisor.js";
import { buildChannels, retryFromEnv, undeliveredPolicyFromEnv } from "./channels.js";
import { startRefreshers } from "./refreshers.js";
import { createCronRuntime, createHeartbeatRuntime } from "./scheduled-work.js";

/** How long stopping the channels may take beyond the turns' deadline before kavilo exits anyway. */
const CHANNEL_STOP_MS = 3000;

export interface Runtime {
  readonly channels: string[];
  readonly bus: MessageBus;
  /** Stops intake, lets turns finish until the deadline, aborts the rest, stops cron and heartbeat. */
  stop(deadlineMs: number): Promise<ShutdownResult>;
}

/** Composes what `kavilo start` runs: channels → bus → agent, plus cron and the heartbeat. */
export async function startRuntime(ctx: CliContext, log: Logger): Promise<Runtime> {
  const { config, paths } = ctx.config();
  const rt = config.runtime;
  const retry = retryFromEnv(ctx.env);
  const supervised = (await buildChannels({ config, paths, log, retry, env: ctx.env })).map((c) =>
    superviseChannel(c, retry, log),
  );
  const router = createChannelRouter(supervised);
  const send = router.send;
  // Replies a channel could not deliver: kept in the profile and retried, also after a restart.
  const undelivered = new UndeliveredReplies({
    dir: undeliveredDir(paths.home),
    send,
    log,
    policy: undeliveredPolicyFromEnv(ctx.env),
  });
  // Cron results, heartbeats and sub-agent answers are awaited by the user like replies: kept too.
  const deliver = sendOrKeep(send, undelivered, log);

  // The tools need the bus and the bus needs the agent that holds the tools: bind late.
  let busRef: MessageBus | undefined;
  const bus = (): MessageBus => {
    if (!busRef) throw new Error("the runtime is not ready yet");
    return busRef;
  };
  let cron: CronService | undefined;
  const cronStore = createCronStore(paths.cronJobs);
  const extraTools = [
    createMessageTool({ send }),
    createSpawnTool({
      async run(req) {
        log.info(`spawn ${req.id}: started`);
        const outcome = await bus().runTask({
          sessionKey: req.sessionKey,
          input: req.task,
          maxToolSteps: req.maxToolSteps,
          ...(req.origin ? { origin: req.origin } : {}),
          // A sub-agent's risky calls are asked of the chat user who started it.
          ...(req.interaction ? { interaction: req.interaction } : {}),
        });
        if (outcome.reason === "error") throw new Error(outcome.error ?? "the sub-agent failed");
        return outcome.text;
      },
      deliver: (to, text) => deliver({ ...to, text }),
      log: (line) => log.info(line),
    }),
    createCronTool({ store: cronStore, onChange: () => void cron?.reload() }),
  ];
  const composed = await composeAgent(ctx, {
    log: (line) => log.debug(line),
    warn: (line) => log.warn(line),
    extraTools,
    backgroundMemory: true,
    // Who allowed or denied a risky tool is worth keeping in the log file, not only with --debug.
    approvalLog: (line) => log.info(line),
    // Chats ask before risky tools unless tools.approval.mode says otherwise; cron jobs and
    // heartbeats have nobody to ask, so their risky calls are denied (tools.exec.allow lets them).
    approvalDefault: "ask",
    // No silent waits: an MCP server still starting after 2 s is named in the log.
    progress: (line) => log.info(line),
  });
  busRef = createMessageBus({
    agent: composed.agent,
    send,
    showWorking: (msg) => router.showWorking(msg),
    closeChoices: (target, questionId, outcome) => router.closeChoices(target, questionId, outcome),
    maxConcurrentSessions: rt.maxConcurrentSessions,
    log,
    inbox: new Inbox(paths.inbox),
    undelivered,
  });

  // Before anything else runs: compacting the inbox must not race a message being appended to it.
  try {
    await busRef.replayPending();
  } catch (err) {
    await composed.close().catch(() => undefined);
    throw new Error(`cannot read the message inbox ${paths.inbox}: ${(err as Error).message}`);
  }
  // The token refreshers tick once before cron, the heartbeat and the channels run turns, then in the background.
  const refreshers = await startRefreshers({ config, paths, env: ctx.env, log });
  cron = createCronRuntime(cronStore, bus, deliver, log);
  try {
    await cron.start();
  } catch (err) {
    log.error(`cron: not started: ${(err as Error).message}`);
  }
  let heartbeat: Heartbeat | undefined;
  if (rt.heartbeat.enabled) {
    heartbeat = createHeartbeatRuntime(rt.heartbeat, paths.workspace, bus, deliver, log);
    heartbeat.start();
  }
  for (const s of supervised) s.start(busRef);
  await undelivered
    .resume()
    .catch((err: unknown) => log.error(`cannot read the undelivered replies: ${(err as Error).message}`));
  if (supervised.length === 0) log.warn("no channel is enabled; running cron and heartbeat only");
  // Messages that `kavilo mcp serve self` (another process) asks this one to send.
  let outbox: OutboxWatcher | undefined;
  try {
    outbox = await watchOutbox({ dir: outboxDir(paths.home), send, log });
  } catch (err) {
    log.error(`outbox: not watched, send_channel_message will time out: ${(err as Error).message}`);
  }
  log.info(
    `running: ${composed.resolved.name}/${composed.resolved.model}, channels: ${router.names().join(", ") || "none"}` +
      `, heartbeat: ${heartbeat ? `every ${rt.heartbeat.intervalS} s` : "off"}`,
  );

  return {
    channels: router.names(),
    bus: busRef,
    async stop(deadlineMs) {
      // Everything stops at once, against one deadline: the channels stop receiving (what still
      // arrives goes to the inbox for the next start), cron and the heartbeat disarm, and running
      // turns get until the deadline. Replies still go out: sending does not need a running channel.
      const channelsStopped = Promise.all(supervised.map((s) => s.stop())).then(() => true);
      const outboxDone = outbox?.stop();
      const undeliveredDone = undelivered.stop();
      const cronDone = cron?.stop();
      const heartbeatDone = heartbeat?.stop();
      // A refresh that is writing a token file finishes (within the deadline) before kavilo exits.
      const refreshersDone = refreshers.stop(deadlineMs);
      const result = await bus().shutdown(deadlineMs);
      await refreshersDone;
      // A channel's stop talks to its platform, and a cron or outbox send may hang on it: a dead
      // network must not hold the exit for long (start.ts also has a hard limit past this).
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), CHANNEL_STOP_MS);
      });
      const rest = Promise.all([channelsStopped, cronDone, heartbeatDone, outboxDone, undeliveredDone]).then(
        () => true,
      );
      if (!(await Promise.race([rest, gaveUp])))
        log.warn("a channel, cron or the outbox did not stop in time; going on");
      clearTimeout(timer);
      await composed.close().catch(() => undefined);
      return result;
    },
  };
}
