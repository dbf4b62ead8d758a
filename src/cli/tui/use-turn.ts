import { useCallback, useEffect, useRef, useState } from "react";
import type { AgentEvent } from "../../core/agent/events.js";
import type { Interaction } from "../../core/agent/interaction.js";
import type { AgentRunner } from "../../core/agent/types.js";
import type { Usage } from "../../providers/types.js";
import type { Entry } from "./entries.js";
import { applyEvent, forceEnd, type LiveTurn, newTurn, takeFinished } from "./turn-state.js";

/** Streaming text is batched: one React update per this many ms, not one per delta. */
export const FLUSH_MS = 50;
/** After Ctrl-C, how long a runner gets to end its turn before the UI stops waiting for it. */
export const ABORT_GRACE_MS = 3000;

export interface TurnHooks {
  runner: AgentRunner;
  now: () => number;
  /** Entries that can no longer change, in order, for the static transcript. */
  onCommit(entries: Entry[]): void;
  /** The provider and model the runner reports using, for the header. */
  onModel(provider: string, model: string): void;
  onFinish(usage: Usage): void;
  /** Who the turn asks (MCP forms); the TUI's own prompt. */
  interaction?: Interaction;
}

export interface TurnControl {
  live: LiveTurn | null;
  running: boolean;
  interrupting: boolean;
  start(input: string, sessionKey: string): void;
  /** Aborts the running turn; false when nothing is running. */
  interrupt(): boolean;
}

type Next = IteratorResult<AgentEvent> | "gave-up";

/** Drives one turn at a time through the runner, reducing its events into a throttled live view. */
export function useTurn(hooks: TurnHooks): TurnControl {
  const hooksRef = useRef(hooks);
  hooksRef.current = hooks;
  const [live, setLive] = useState<LiveTurn | null>(null);
  const [interrupting, setInterrupting] = useState(false);
  const turnRef = useRef<LiveTurn | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const giveUpRef = useRef<(() => void) | null>(null);
  const timerRef = useRef<NodeJS.Timeout | null>(null);
  const counterRef = useRef(0);
  const mountedRef = useRef(true);

  const flush = useCallback(() => {
    if (timerRef.current) clearTimeout(timerRef.current);
    timerRef.current = null;
    const turn = turnRef.current;
    if (!turn || !mountedRef.current) return;
    const { done, turn: rest } = takeFinished(turn);
    turnRef.current = rest;
    if (done.length > 0) hooksRef.current.onCommit(done);
    setLive(rest);
  }, []);

  const schedule = useCallback(() => {
    if (!timerRef.current) timerRef.current = setTimeout(flush, FLUSH_MS);
  }, [flush]);

  useEffect(
    () => () => {
      mountedRef.current = false;
      if (timerRef.current) clearTimeout(timerRef.current);
      controllerRef.current?.abort();
    },
    [],
  );

  const consume = useCallback(
    async (iterator: AsyncIterator<AgentEvent>, signal: AbortSignal, gaveUp: Promise<"gave-up">) => {
      const { now } = hooksRef.current;
      for (;;) {
        const next: Next = await Promise.race([iterator.next(), gaveUp]);
        if (next === "gave-up") {
          void iterator.return?.()?.catch(() => {});
          return;
        }
        if (next.done) return;
        const event = next.value;
        // After Ctrl-C, what was shown stays; late output of the aborted turn is dropped.
        if (signal.aborted && event.type !== "turn-end" && event.type !== "usage") continue;
        turnRef.current = applyEvent(turnRef.current!, event, now());
        if (event.type === "turn-start" || event.type === "usage") {
          hooksRef.current.onModel(event.provider, event.model);
        }
        if (event.type === "turn-end") {
          void iterator.return?.()?.catch(() => {});
          return;
        }
        schedule();
      }
    },
    [schedule],
  );

  const start = useCallback(
    (input: string, sessionKey: string) => {
      if (controllerRef.current) return;
      const controller = new AbortController();
      controllerRef.current = controller;
      counterRef.current += 1;
      turnRef.current = newTurn(counterRef.current);
      setLive(turnRef.current);
      const gaveUp = new Promise<"gave-up">((resolve) => {
        giveUpRef.current = () => setTimeout(() => resolve("gave-up"), ABORT_GRACE_MS).unref();
      });
      void (async () => {
        let failure: string | undefined;
        try {
          const iterator = hooksRef.current.runner
            .runTurn({
              sessionKey,
              input,
              signal: controller.signal,
              interaction: hooksRef.current.interaction ?? {},
            })
            [Symbol.asyncIterator]();
          await consume(iterator, controller.signal, gaveUp);
        } catch (err) {
          // The runner promises never to throw; if it does anyway, the user sees it like any error.
          if (!controller.signal.aborted) failure = err instanceof Error ? err.message : String(err);
        }
        const turn = forceEnd(turnRef.current!, hooksRef.current.now(), controller.signal.aborted, failure);
        turnRef.current = turn;
        controllerRef.current = null;
        giveUpRef.current = null;
        if (!mountedRef.current) return;
        flush();
        turnRef.current = null;
        setLive(null);
        setInterrupting(false);
        hooksRef.current.onFinish(turn.usage);
      })();
    },
    [consume, flush],
  );

  const interrupt = useCallback(() => {
    const controller = controllerRef.current;
    if (!controller) return false;
    if (!controller.signal.aborted) {
      controller.abort();
      giveUpRef.current?.();
      setInterrupting(true);
    }
    return true;
  }, []);

  return { live, running: live !== null, interrupting, start, interrupt };
}
