import { isActionable } from "./actionable.js";

export { isActionable };

export const HEARTBEAT_OK = "HEARTBEAT_OK";

/** Asked on each actionable heartbeat; the file content follows it. */
export const HEARTBEAT_PROMPT =
  "This is a scheduled heartbeat. Below is HEARTBEAT.md from your workspace: the user's standing " +
  "instructions and periodic tasks. Act on whatever is due now, using your tools as needed. If something " +
  "needs the user's attention, write the message to send them. If nothing needs attention right now, reply " +
  `with exactly ${HEARTBEAT_OK} and nothing else.`;

export function heartbeatPrompt(content: string): string {
  return `${HEARTBEAT_PROMPT}\n\n<HEARTBEAT.md>\n${content.trim()}\n</HEARTBEAT.md>`;
}

/** True when the answer is the "nothing to do" token, allowing quotes, markdown emphasis and punctuation around it. */
export function isHeartbeatOk(answer: string): boolean {
  const bare = answer.trim().replace(/^[\s*_`~"'“”‘’.,:;!>()[\]-]+|[\s*_`~"'“”‘’.,:;!>()[\]-]+$/g, "");
  return bare.toUpperCase() === HEARTBEAT_OK;
}

export interface HeartbeatLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface HeartbeatOptions {
  intervalS: number;
  /** HEARTBEAT.md's content; undefined when there is no file. */
  readHeartbeat: () => Promise<string | undefined>;
  /** One agent turn; returns the final answer text. */
  runTurn: (prompt: string) => Promise<string>;
  /** Sends the answer; false when there was nowhere to send it. */
  deliver: (text: string) => Promise<boolean>;
  /** Whether there is anywhere to deliver: without a target no turn is run (it would cost a model call for nothing). */
  hasTarget?: () => boolean;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  log: HeartbeatLogger;
}

/** What one tick did. */
export type HeartbeatOutcome = "busy" | "idle" | "no-target" | "ok" | "delivered" | "error";

const NO_TARGET =
  "heartbeat: no target yet (set runtime.heartbeat.target or write to the bot); HEARTBEAT.md waits, no model call";

export interface Heartbeat {
  start(): void;
  /** Stops ticking and waits for a tick in progress. */
  stop(): Promise<void>;
  tick(): Promise<HeartbeatOutcome>;
}

export function createHeartbeat(opts: HeartbeatOptions): Heartbeat {
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  const intervalMs = Math.min(opts.intervalS * 1000, 2 ** 31 - 1);
  const { log } = opts;
  let active = false;
  let timer: unknown;
  let current: Promise<HeartbeatOutcome> | undefined;
  // Said once per start, not every interval.
  let warnedNoTarget = false;
  const noTarget = (): "no-target" => {
    if (!warnedNoTarget) log.warn(NO_TARGET);
    warnedNoTarget = true;
    return "no-target";
  };

  async function once(): Promise<HeartbeatOutcome> {
    try {
      const content = await opts.readHeartbeat();
      if (content === undefined || !isActionable(content)) return "idle";
      if (opts.hasTarget && !opts.hasTarget()) return noTarget();
      const answer = await opts.runTurn(heartbeatPrompt(content));
      if (!answer.trim() || isHeartbeatOk(answer)) return "ok";
      if (!(await opts.deliver(answer.trim()))) return noTarget();
      log.info("heartbeat: delivered a message");
      return "delivered";
    } catch (err) {
      log.error(`heartbeat failed: ${err instanceof Error ? err.message : String(err)}`);
      return "error";
    }
  }

  function tick(): Promise<HeartbeatOutcome> {
    // A slow turn must not stack up behind the next tick.
    if (current) return Promise.resolve("busy");
    current = once().finally(() => {
      current = undefined;
    });
    return current;
  }

  function arm() {
    if (!active) return;
    timer = setTimer(() => {
      timer = undefined;
      void tick().finally(arm);
    }, intervalMs);
  }

  return {
    start() {
      if (active) return;
      active = true;
      arm();
    },
    async stop() {
      active = false;
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
      await current;
    },
    tick,
  };
}
