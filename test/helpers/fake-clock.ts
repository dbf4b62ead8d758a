/**
 * Simulated time for long-running machinery (refreshers, cron, heartbeat): timers fire in order as
 * the test advances the clock, and after each firing the test's `settle` waits for the work it
 * started (real file and HTTP I/O) before time moves on.
 */
export class FakeClock {
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  constructor(public ms: number) {}

  now = (): Date => new Date(this.ms);
  setTimer = (fn: () => void, delayMs: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.ms + Math.max(0, delayMs), fn });
    return id;
  };
  clearTimer = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  get pending(): number {
    return this.timers.size;
  }

  /** The earliest timer's time, if any. */
  nextAt(): number | undefined {
    let best: number | undefined;
    for (const t of this.timers.values()) if (best === undefined || t.at < best) best = t.at;
    return best;
  }

  /**
   * Fires every timer due up to `until` in time order (the clock reads each timer's time while it
   * runs), calling `settle` after each; then sets the clock to `until`. `onStep` sees each moment.
   */
  async runUntil(until: number, settle: () => Promise<void>, onStep?: (ms: number) => void): Promise<void> {
    for (;;) {
      let nextId: number | undefined;
      let next: { at: number; fn: () => void } | undefined;
      for (const [id, t] of this.timers) {
        if (t.at <= until && (!next || t.at < next.at || (t.at === next.at && id < (nextId ?? 0)))) {
          next = t;
          nextId = id;
        }
      }
      if (!next || nextId === undefined) break;
      this.timers.delete(nextId);
      this.ms = Math.max(this.ms, next.at);
      onStep?.(this.ms);
      next.fn();
      await settle();
    }
    this.ms = Math.max(this.ms, until);
    onStep?.(this.ms);
  }
}
