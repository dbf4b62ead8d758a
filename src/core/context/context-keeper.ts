import type { Message, Provider, ToolSpec, Usage } from "../../providers/types.js";
import { acquirePidLock, LockHeldError } from "../base/file-lock.js";
import { clearState, lockFile, type MemoryState, readState, updateState } from "../memory/memory-state.js";
import { promptBudget } from "./context-budget.js";
import { fitHistory, historyFrom } from "./history-window.js";
import { estimateMessages, estimateText, estimateTools } from "./token-estimate.js";

/** agents.defaults' context and memory settings. */
export interface ContextSettings {
  contextWindow?: number | undefined;
  contextBudget?: number | undefined;
  maxTokens?: number | undefined;
  /** false: old turns are dropped (one log line) instead of consolidated. Default true. */
  memory?: boolean | undefined;
  /** A cheaper model for consolidation. */
  memoryModel?: string | undefined;
  /** Consolidate without making the turn wait (channels); the CLI waits. */
  background?: boolean | undefined;
}

export interface ContextKeeperDeps {
  provider: Provider;
  workspace: string;
  sessionsDir: string;
  settings: ContextSettings;
  timezone?: string | undefined;
  /** Consolidation attempts before the raw archive (default 3). */
  attempts?: number;
  /** How long /new waits for another process that is consolidating the session (default 60 s). */
  lockWaitMs?: number;
  log?: ((line: string) => void) | undefined;
  warn?: ((line: string) => void) | undefined;
  /** A line for the user who waits on a consolidation (the CLI: a pause otherwise unexplained). */
  progress?: ((line: string) => void) | undefined;
  onUsage?: ((usage: Usage, model: string, sessionKey: string) => void) | undefined;
}

export interface FittedRequest {
  messages: Message[];
  /** kavilo's own estimate of the whole prompt, before calibration: what `observe` compares against. */
  estimate: number;
  /** The calibrated estimate, in the provider's tokens. */
  tokens: number;
  budget: number;
}

function lastUserIndex(messages: readonly Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return i;
  return messages.length;
}

const CALIBRATION_RANGE = [0.5, 4] as const;
const SAFETY = 0.95;

/**
 * Keeps every request of a session within its token budget: picks the newest whole turns that fit,
 * and moves what no longer fits into memory (consolidation) or, with memory off, drops it. One per
 * agent; sessions never wait for each other.
 */
export class ContextKeeper {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly consolidating = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: ContextKeeperDeps) {}

  budget(model: string): number {
    const s = this.deps.settings;
    return promptBudget({
      model,
      contextWindow: s.contextWindow,
      contextBudget: s.contextBudget,
      maxTokens: s.maxTokens,
    });
  }

  /** The messages to send for one step: the history that fits, then this turn's messages. */
  async fit(r: {
    sessionKey: string;
    session: readonly Message[];
    system: string;
    tools: readonly ToolSpec[];
    turn: readonly Message[];
    model: string;
  }): Promise<FittedRequest> {
    const budget = this.budget(r.model);
    let state = await this.state(r.sessionKey, r.session.length);
    const scale = state.calibration ?? 1;
    const fixed = estimateText(r.system) + estimateTools(r.tools) + estimateMessages(r.turn);
    // A small margin for what estimates miss between calibrations (JSON framing, a new mix of content).
    const room = budget * SAFETY - fixed * scale;
    const fit = fitHistory(r.session, state.consolidated, room, room / 2, scale);
    // A turn asked again after a stop has its user message in the session already: that message is
    // the current turn, never cut off or consolidated.
    const pin = r.turn.some((m) => m.role === "user") ? r.session.length : lastUserIndex(r.session);
    const cut = Math.min(fit.start, pin);
    let start = Math.max(cut, state.consolidated);
    if (cut > state.consolidated) {
      const upTo = Math.min(fit.keepFrom, pin);
      if (this.deps.settings.memory === false) {
        this.deps.log?.(
          `session ${r.sessionKey}: dropped ${upTo - state.consolidated} old messages that no longer fit the context budget (agents.defaults.memory is false)`,
        );
        await this.locked(r.sessionKey, () => this.advance(r.sessionKey, upTo, r.session.length));
        start = upTo;
      } else if (this.deps.settings.background) {
        this.consolidateInBackground(r.sessionKey, r.session, upTo, r.model);
      } else {
        await this.consolidate(r.sessionKey, r.session, upTo, r.model);
        state = await this.state(r.sessionKey, r.session.length);
        start = Math.max(start, state.consolidated);
      }
    }
    const history = historyFrom(r.session, start);
    const estimate = fixed + estimateMessages(history);
    return { messages: [...history, ...r.turn], estimate, tokens: Math.ceil(estimate * scale), budget };
  }

  /** Calibrates later estimates of the session by what the provider reported for this request. */
  observe(sessionKey: string, estimate: number, reportedInput: number): void {
    if (!(reportedInput > 0) || !(estimate > 0)) return;
    const [lo, hi] = CALIBRATION_RANGE;
    const ratio = Math.min(hi, Math.max(lo, reportedInput / estimate));
    const current = (state: MemoryState) =>
      state.calibration !== undefined && Math.abs(state.calibration - ratio) < 0.02 * ratio;
    const dir = this.deps.sessionsDir;
    this.track(
      this.locked(sessionKey, async () => {
        // Most steps change nothing: a stat of the record, not the cross-process mutex.
        if (current(await readState(dir, sessionKey))) return;
        await updateState(dir, sessionKey, (state) =>
          current(state) ? undefined : { ...state, calibration: ratio },
        );
      }),
    );
  }

  /**
   * After a context-overflow error: everything before the current turn is consolidated (or dropped),
   * and the estimate is doubled until the provider reports again, as the window was overrated.
   */
  async shrink(sessionKey: string, session: readonly Message[], model: string): Promise<void> {
    await this.consolidate(sessionKey, session, session.length, model);
    await this.locked(sessionKey, () =>
      updateState(this.deps.sessionsDir, sessionKey, (state) => ({
        ...state,
        calibration: Math.min(CALIBRATION_RANGE[1], (state.calibration ?? 1) * 2),
      })),
    );
  }

  /**
   * On /new: the session is archived, and its turns not yet in memory are consolidated (before this
   * resolves in the terminal; beside it for channels, so the chat's "new session" reply is not held up).
   */
  async reset(
    sessionKey: string,
    session: readonly Message[],
    model: string,
    archive: () => Promise<void>,
  ): Promise<void> {
    const part = await this.locked(sessionKey, async () => {
      // Another process consolidating this session finishes first: its record of how far it got
      // must not outlive the archive (and skip turns of the new session), nor its turns be summarized twice.
      const release = await this.waitForLock(sessionKey);
      try {
        const state = await this.state(sessionKey, session.length);
        await archive();
        await clearState(this.deps.sessionsDir, sessionKey);
        return session.slice(state.consolidated);
      } finally {
        await release?.();
      }
    });
    if (this.deps.settings.memory === false || part.length === 0) return;
    const done = this.summarize(sessionKey, part, model);
    if (this.deps.settings.background) this.track(done);
    else await done;
  }

  /** The session's consolidation lock, waited for while another process holds it; undefined after the wait. */
  private async waitForLock(sessionKey: string): Promise<(() => Promise<void>) | undefined> {
    const deadline = Date.now() + (this.deps.lockWaitMs ?? 60_000);
    let told = false;
    for (;;) {
      try {
        return await acquirePidLock(lockFile(this.deps.sessionsDir, sessionKey));
      } catch (err) {
        if (!(err instanceof LockHeldError)) throw err;
        const pid = err.holder.pid;
        if (Date.now() >= deadline) {
          this.deps.warn?.(
            `session ${sessionKey}: pid ${pid} is still consolidating it; starting anew anyway`,
          );
          return undefined;
        }
        if (!told) this.deps.progress?.(`waiting for pid ${pid}, which is consolidating this session…`);
        told = true;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Resolves when no background consolidation or state write is in flight (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async state(sessionKey: string, messages: number): Promise<MemoryState> {
    const state = await readState(this.deps.sessionsDir, sessionKey);
    // A session file shorter than the record says was replaced: nothing of it is consolidated.
    return state.consolidated > messages ? { consolidated: 0, messages } : state;
  }

  private consolidateInBackground(
    sessionKey: string,
    session: readonly Message[],
    upTo: number,
    model: string,
  ) {
    if (this.consolidating.has(sessionKey)) return;
    this.consolidating.add(sessionKey);
    this.track(
      this.consolidate(sessionKey, session, upTo, model).finally(() => this.consolidating.delete(sessionKey)),
    );
  }

  private async consolidate(sessionKey: string, session: readonly Message[], upTo: number, model: string) {
    await this.locked(sessionKey, async () => {
      // Another process (kavilo start and a one-shot on the same session) may be at it: then this
      // one leaves it to that one rather than summarize the same turns twice.
      let release: () => Promise<void>;
      try {
        release = await acquirePidLock(lockFile(this.deps.sessionsDir, sessionKey));
      } catch (err) {
        if (!(err instanceof LockHeldError)) throw err;
        this.deps.log?.(
          `session ${sessionKey}: pid ${err.holder.pid} is consolidating it; not doing it here`,
        );
        return;
      }
      try {
        const state = await this.state(sessionKey, session.length);
        if (upTo <= state.consolidated) return;
        const part = session.slice(state.consolidated, upTo);
        // Files that could not be written keep the turns unconsolidated, to try again later.
        if (this.deps.settings.memory !== false && !(await this.summarize(sessionKey, part, model))) return;
        await this.advance(sessionKey, upTo, session.length);
      } finally {
        await release();
      }
    });
  }

  /** Moves `part` into HISTORY.md/MEMORY.md; false when the memory files could not be written. */
  private async summarize(sessionKey: string, part: readonly Message[], model: string): Promise<boolean> {
    const d = this.deps;
    d.progress?.(`consolidating memory: summarizing ${part.length} older messages…`);
    // Loaded when a consolidation is due, not by every turn that fits its budget.
    const { Consolidator } = await import("../memory/consolidate.js");
    const consolidator = new Consolidator({
      provider: d.provider,
      workspace: d.workspace,
      model: () => d.settings.memoryModel ?? model,
      budget: () => this.budget(d.settings.memoryModel ?? model),
      ...(d.settings.maxTokens !== undefined ? { maxTokens: d.settings.maxTokens } : {}),
      ...(d.timezone ? { timezone: d.timezone } : {}),
      ...(d.attempts !== undefined ? { attempts: d.attempts } : {}),
      ...(d.onUsage ? { onUsage: (u: Usage, m: string) => d.onUsage?.(u, m, sessionKey) } : {}),
      ...(d.log ? { log: d.log } : {}),
    });
    try {
      const result = await consolidator.consolidate(part);
      d.log?.(
        `session ${sessionKey}: consolidated ${part.length} messages (${result.summarized} summarized, ${result.archivedRaw} archived raw)`,
      );
      return true;
    } catch (err) {
      d.warn?.(`memory consolidation failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  private advance(sessionKey: string, upTo: number, messages: number): Promise<void> {
    return updateState(this.deps.sessionsDir, sessionKey, (state) =>
      upTo <= state.consolidated && state.consolidated <= messages
        ? undefined
        : { ...state, consolidated: upTo, messages },
    );
  }

  /** Runs `fn` after everything queued for the session: one writer of its state at a time. */
  private locked<T>(sessionKey: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(sessionKey) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(sessionKey, tail);
    void tail.then(() => {
      if (this.tails.get(sessionKey) === tail) this.tails.delete(sessionKey);
    });
    return run;
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch((err: unknown) =>
      this.deps.warn?.(`memory: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.pending.add(t);
    void t.finally(() => this.pending.delete(t));
  }
}
