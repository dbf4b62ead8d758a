import { intervalJitter } from "../core/base/backoff.js";
import { type RefresherState, type RefresherTargetState, writeRefresherState } from "./state.js";
import type { Refresher, TargetOutcome } from "./types.js";

/** The runner's sense of time; tests pass a fake one and drive months in milliseconds. */
export interface RunnerClock {
  now(): Date;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface RunnerLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export interface RefresherRunnerOptions {
  refreshers: Refresher[];
  log: RunnerLog;
  clock?: RunnerClock;
  /** For the jitter; default Math.random. */
  random?: () => number;
  /** Up to this share of the interval is taken off each wait (never added: a lead stays a lead). Default 0.1. */
  jitter?: number;
  /** Where the state is persisted for `status` in another process (`<home>/refreshers.json`). */
  statePath?: string;
  pid?: number;
}

export interface RefresherRunner {
  /** Ticks every enabled refresher once (resolves when all first ticks are done), then every interval. */
  start(): Promise<void>;
  /**
   * Stops the timers and waits for ticks in flight (one may be writing a token file) up to the
   * deadline; resolves false when one was still running then.
   */
  stop(deadlineMs: number): Promise<boolean>;
  state(): RefresherState[];
  /** Resolves when no tick is running (tests). */
  whenIdle(): Promise<void>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

const realClock: RunnerClock = {
  now: () => new Date(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Slot {
  refresher: Refresher;
  state: RefresherState;
  timer?: unknown;
  running?: Promise<void>;
  /** The skip reason last logged per target: a skip is said once, not every tick. */
  saidSkip: Map<string, string>;
}

/**
 * Runs the token refreshers of `kavilo start`. A refresher's failure (thrown or reported) never
 * stops its loop or the others; each failed target is one `RefreshFailed <name> <target>: <reason>`
 * line. The per-refresher state (enabled or why not, each target's expiry, last refresh, last
 * result, next tick) is kept for `status` and written to `statePath` after every tick.
 */
export function createRefresherRunner(opts: RefresherRunnerOptions): RefresherRunner {
  const clock = opts.clock ?? realClock;
  const random = opts.random ?? Math.random;
  const jitter = opts.jitter ?? 0.1;
  const { log } = opts;
  let active = false;
  let persisting: Promise<void> = Promise.resolve();
  let warnedPersist = false;

  const slots: Slot[] = opts.refreshers.map((refresher) => {
    const on = refresher.enabled();
    return {
      refresher,
      saidSkip: new Map(),
      state: {
        name: refresher.name,
        enabled: on.enabled,
        ...(on.enabled ? {} : { reason: on.reason }),
        intervalS: Math.round(refresher.intervalMs / 1000),
        targets: [],
      },
    };
  });

  function persist() {
    const path = opts.statePath;
    if (!path) return;
    const snapshot = {
      pid: opts.pid ?? process.pid,
      updatedAt: clock.now().toISOString(),
      refreshers: slots.map((s) => structuredClone(s.state)),
    };
    persisting = persisting
      .then(() => writeRefresherState(path, snapshot))
      .catch((err: unknown) => {
        if (!warnedPersist) log.warn(`refreshers: cannot write ${path}: ${(err as Error).message}`);
        warnedPersist = true;
      });
  }

  function report(slot: Slot, o: TargetOutcome, at: Date) {
    const { name } = slot.refresher;
    const previous = slot.state.targets.find((t) => t.target === o.target);
    const next: RefresherTargetState = {
      target: o.target,
      result: o.result,
      checkedAt: at.toISOString(),
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
    };
    const lastRefreshAt = o.result === "refreshed" ? at.toISOString() : previous?.lastRefreshAt;
    if (lastRefreshAt) next.lastRefreshAt = lastRefreshAt;
    if (o.result !== "skipped") slot.saidSkip.delete(o.target);
    const expires = o.expiresAt ? `; expires ${o.expiresAt}` : "";
    switch (o.result) {
      case "refreshed":
        log.info(`Refreshed ${name} ${o.target}${expires}`);
        break;
      case "adopted":
        log.info(`${name} ${o.target}: adopted the token another process rotated${expires}`);
        break;
      case "failed":
        log.warn(`RefreshFailed ${name} ${o.target}: ${o.reason ?? "unknown error"}`);
        break;
      case "skipped":
        if (slot.saidSkip.get(o.target) !== o.reason)
          log[o.quiet ? "info" : "warn"](`${name} ${o.target}: skipped: ${o.reason ?? ""}`);
        slot.saidSkip.set(o.target, o.reason ?? "");
        break;
      default:
        if (previous?.result === "failed") log.info(`${name} ${o.target}: ok again${expires}`);
        else log.debug(`${name} ${o.target}: fresh${expires}`);
    }
    return next;
  }

  async function tickOnce(slot: Slot): Promise<void> {
    const at = clock.now();
    let outcomes: TargetOutcome[];
    try {
      outcomes = await slot.refresher.tick(at);
    } catch (err) {
      // A refresher must report failures as outcomes; one that throws still must not stop anything.
      outcomes = [{ target: "*", result: "failed", reason: (err as Error).message || String(err) }];
    }
    slot.state.targets = outcomes.map((o) => report(slot, o, at));
    slot.state.lastTickAt = at.toISOString();
  }

  function arm(slot: Slot) {
    if (!active) return;
    const interval = slot.refresher.intervalMs;
    const delay = Math.max(1000, Math.min(MAX_TIMER_MS, intervalJitter(interval, jitter, random)));
    slot.state.nextTickAt = new Date(clock.now().getTime() + delay).toISOString();
    slot.timer = clock.setTimer(() => {
      slot.timer = undefined;
      void run(slot);
    }, delay);
  }

  function run(slot: Slot): Promise<void> {
    if (slot.running) return slot.running;
    slot.running = tickOnce(slot).finally(() => {
      slot.running = undefined;
      arm(slot);
      persist();
    });
    return slot.running;
  }

  return {
    async start() {
      if (active) return;
      active = true;
      for (const s of slots) {
        if (!s.state.enabled) log.info(`${s.refresher.name} refresher is off: ${s.state.reason}`);
      }
      await Promise.all(slots.filter((s) => s.state.enabled).map((s) => run(s)));
      persist();
      await persisting;
    },
    async stop(deadlineMs) {
      active = false;
      for (const s of slots) {
        if (s.timer !== undefined) clock.clearTimer(s.timer);
        s.timer = undefined;
        s.state.nextTickAt = undefined;
      }
      const inFlight = slots.flatMap((s) => (s.running ? [s.running] : []));
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs));
      });
      const done = await Promise.race([Promise.all(inFlight).then(() => true), gaveUp]);
      clearTimeout(timer);
      if (!done) log.warn("refreshers: a token refresh was still running at the shutdown deadline");
      persist();
      await persisting;
      return done;
    },
    state: () => slots.map((s) => structuredClone(s.state)),
    async whenIdle() {
      for (;;) {
        const running = slots.flatMap((s) => (s.running ? [s.running] : []));
        if (running.length === 0) break;
        await Promise.all(running);
      }
      await persisting;
    },
  };
}
