import { stripVTControlCharacters } from "node:util";
import type { AgentEvent } from "../../src/core/agent/events.js";
import type { AgentRunner, TurnRequest } from "../../src/core/agent/types.js";
import type { Usage } from "../../src/providers/types.js";

/** A turn script: yields events, may await gates, and should honour req.signal like the real loop. */
export type TurnScript = (req: TurnRequest) => AsyncGenerator<AgentEvent>;

/** A hand-driven AgentRunner: each runTurn plays the script; calls are recorded for assertions. */
export class FakeRunner implements AgentRunner {
  provider = "fakeprov";
  model = "fake-model";
  readonly turns: TurnRequest[] = [];
  readonly resets: string[] = [];
  readonly models: string[] = [];
  readonly usageAsked: string[] = [];
  sessionTotal: Usage = { input: 1000, output: 200 };

  constructor(public script: TurnScript = simpleReply("ok")) {}

  runTurn(req: TurnRequest): AsyncIterable<AgentEvent> {
    this.turns.push(req);
    return this.script(req);
  }
  async resetSession(sessionKey: string): Promise<void> {
    this.resets.push(sessionKey);
  }
  setModel(model: string): void {
    this.models.push(model);
    this.model = model;
  }
  async sessionUsage(sessionKey: string): Promise<Usage> {
    this.usageAsked.push(sessionKey);
    return this.sessionTotal;
  }
}

export function endEvent(text: string, reason: "stop" | "aborted" | "error" = "stop"): AgentEvent {
  return { type: "turn-end", reason, text, usage: { input: 10, output: 5 }, iterations: 1 };
}

export function simpleReply(text: string): TurnScript {
  return async function* () {
    yield { type: "turn-start", sessionKey: "s", provider: "fakeprov", model: "fake-model" };
    yield { type: "text-delta", text };
    yield endEvent(text);
  };
}

/** A latch the test opens to let a script continue; it also opens when the turn is aborted. */
export class Gate {
  private waiters: (() => void)[] = [];
  private opened = 0;
  private passed = 0;

  open(): void {
    this.opened++;
    this.waiters.shift()?.();
  }

  wait(signal?: AbortSignal): Promise<void> {
    if (this.opened > this.passed) {
      this.passed++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        this.passed++;
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}

export const keys = {
  enter: "\r",
  altEnter: "\u001b\r",
  up: "\u001b[A",
  down: "\u001b[B",
  left: "\u001b[D",
  right: "\u001b[C",
  backspace: "\u007f",
  ctrlA: "\u0001",
  ctrlC: "\u0003",
  ctrlD: "\u0004",
  ctrlE: "\u0005",
  ctrlO: "\u000f",
  ctrlU: "\u0015",
};

export function plain(frame: string | undefined): string {
  return stripVTControlCharacters(frame ?? "");
}

/** Polls until `check` returns without throwing (or true); keeps the last failure for the message. */
export async function waitFor(check: () => unknown | Promise<unknown>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return;
      lastError = new Error("condition stayed false");
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((r) => setTimeout(r, 10));
  }
}
