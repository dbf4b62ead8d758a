import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/core/agent/events.js";
import type { AgentRunner, TurnRequest } from "../../src/core/agent/types.js";
import { Inbox } from "../../src/core/bus/inbox.js";
import { createMessageBus, HELP_TEXT } from "../../src/core/bus/message-bus.js";
import type { InboundMessage, OutboundMessage } from "../../src/core/bus/types.js";

const ZERO = { input: 0, output: 0 };

/** An agent that answers "re: <text>", waits while the text says "slow", fails on "fail", loops tools on "tools". */
function fakeAgent(fast = false) {
  const requests: TurnRequest[] = [];
  const resets: string[] = [];
  const agent: Pick<AgentRunner, "runTurn" | "resetSession"> = {
    async resetSession(key) {
      resets.push(key);
    },
    runTurn(req) {
      requests.push(req);
      const text = typeof req.input === "string" ? req.input : JSON.stringify(req.input);
      return (async function* (): AsyncGenerator<AgentEvent> {
        yield { type: "turn-start", sessionKey: req.sessionKey, provider: "fake", model: "m" };
        if (text.includes("slow")) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, fast ? 0 : text.includes("very") ? 10_000 : 50);
            req.signal?.addEventListener("abort", () => {
              clearTimeout(t);
              resolve();
            });
          });
          if (req.signal?.aborted) {
            yield { type: "turn-end", reason: "aborted", text: "", usage: ZERO, iterations: 1 };
            return;
          }
        }
        if (text.includes("fail")) {
          yield { type: "error", message: "model exploded" };
          yield { type: "turn-end", reason: "error", text: "", usage: ZERO, iterations: 1 };
          return;
        }
        if (text.includes("tools")) {
          // Like the real loop: at most req.maxIterations tool steps, then a max-iterations end.
          const cap = req.maxIterations ?? 10;
          for (let i = 0; i < cap && !req.signal?.aborted; i++) {
            yield { type: "usage", usage: ZERO, provider: "fake", model: "m" };
            yield { type: "tool-call-start", id: `c${i}`, name: "shell", args: {} };
            yield { type: "tool-call-end", id: `c${i}`, name: "shell", ok: true, output: "", durationMs: 1 };
          }
          const reason = req.signal?.aborted ? "aborted" : "max-iterations";
          yield {
            type: "turn-end",
            reason,
            text: `stopped after ${cap} tool steps`,
            usage: ZERO,
            iterations: cap,
          };
          return;
        }
        yield { type: "turn-end", reason: "stop", text: `re: ${text}`, usage: ZERO, iterations: 1 };
      })();
    },
  };
  return { agent, requests, resets };
}

function setup(opts: { failSend?: boolean; inbox?: Inbox; fast?: boolean } = {}) {
  const fake = fakeAgent(opts.fast);
  const sent: OutboundMessage[] = [];
  const logs: string[] = [];
  const working: string[] = [];
  const bus = createMessageBus({
    agent: fake.agent,
    maxConcurrentSessions: 4,
    async send(msg) {
      if (opts.failSend) throw new Error("channel down");
      sent.push(msg);
    },
    showWorking(msg) {
      working.push(`start ${msg.messageId}`);
      return () => working.push(`stop ${msg.messageId}`);
    },
    log: {
      debug: (m) => logs.push(`debug ${m}`),
      info: (m) => logs.push(`info ${m}`),
      warn: (m) => logs.push(`warn ${m}`),
      error: (m) => logs.push(`error ${m}`),
    },
    ...(opts.inbox ? { inbox: opts.inbox } : {}),
  });
  return { bus, sent, logs, working, ...fake };
}

let seq = 0;
function msg(text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  const id = String(++seq);
  return {
    channel: "slack",
    chatId: "C1",
    threadId: "100.1",
    senderId: "U1",
    text,
    sessionKey: "slack:C1:100.1",
    messageId: id,
    receivedAt: new Date().toISOString(),
    ...extra,
  };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("message bus", () => {
  it("routes the reply to the same channel, chat and thread, replying to the message, with a working indicator", async () => {
    const { bus, sent, working, requests } = setup();
    const m = msg("hello");
    bus.publish(m);
    await until(() => sent.length === 1);
    expect(sent[0]).toEqual({
      channel: "slack",
      chatId: "C1",
      threadId: "100.1",
      text: "re: hello",
      replyTo: m.messageId,
    });
    expect(working).toEqual([`start ${m.messageId}`, `stop ${m.messageId}`]);
    expect(requests[0]?.origin).toEqual({ channel: "slack", chatId: "C1", threadId: "100.1" });
    expect(bus.lastActive()).toEqual({ channel: "slack", chatId: "C1", threadId: "100.1" });
  });

  it("answers /help at once and /stop aborts only the running turn of that session", async () => {
    const { bus, sent } = setup();
    bus.publish(msg("very slow job"));
    bus.publish(msg("other chat", { chatId: "C2", sessionKey: "slack:C2" }));
    await until(() => sent.some((s) => s.text === "re: other chat"));
    bus.publish(msg("", { command: "help" }));
    await until(() => sent.some((s) => s.text === HELP_TEXT));
    bus.publish(msg("/stop")); // plain text, as Slack delivers it
    await until(() => sent.some((s) => s.text === "Stopped."));
    bus.publish(msg("after stop"));
    await until(() => sent.some((s) => s.text === "re: after stop"));
    expect(sent.map((s) => s.text)).not.toContain("re: very slow job");
    bus.publish(msg("", { command: "stop" }));
    await until(() => sent.some((s) => s.text === "Nothing is running."));
  });

  it("/new waits for the session's earlier messages, then resets it", async () => {
    const { bus, sent, resets } = setup();
    bus.publish(msg("slow first"));
    bus.publish(msg("", { command: "new" }));
    await until(() => sent.length === 2);
    expect(sent.map((s) => s.text)).toEqual(["re: slow first", "Started a new conversation."]);
    expect(resets).toEqual(["slack:C1:100.1"]);
  });

  it("passes images as base64 image parts and other files as a note with their path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kavilo-bus-"));
    const img = join(dir, "p.png");
    writeFileSync(img, Buffer.from([1, 2, 3, 4]));
    const { bus, requests, sent } = setup();
    bus.publish(
      msg("look", {
        media: [
          { path: img, mediaType: "image/png", kind: "image", name: "p.png" },
          { path: join(dir, "r.pdf"), mediaType: "application/pdf", kind: "document", name: "r.pdf" },
        ],
      }),
    );
    await until(() => sent.length === 1);
    const input = requests[0]?.input;
    expect(Array.isArray(input)).toBe(true);
    expect(input).toContainEqual({ type: "image", mediaType: "image/png", data: "AQIDBA==" });
    const text = (input as Array<{ type: string; text?: string }>).find((p) => p.type === "text")?.text;
    expect(text).toContain("look");
    expect(text).toContain(join(dir, "r.pdf"));
  });

  it("apologises for a failed turn and logs (never throws) when a reply cannot be sent", async () => {
    const first = setup();
    first.bus.publish(msg("please fail"));
    await until(() => first.sent.length === 1);
    expect(first.sent[0]?.text).toContain("model exploded");

    const down = setup({ failSend: true });
    down.bus.publish(msg("hello"));
    await until(() => down.logs.some((l) => l.startsWith("error") && l.includes("channel down")));
    expect(down.bus.stats.failed).toBe(1);
  });

  it("runTask passes a sub-agent's tool-step cap to the loop", async () => {
    const { bus, requests } = setup();
    const outcome = await bus.runTask({ sessionKey: "spawn:x", input: "tools forever", maxToolSteps: 2 });
    expect(requests.at(-1)?.maxIterations).toBe(2);
    expect(outcome.reason).toBe("max-iterations");
    expect(outcome.iterations).toBe(2);
  });

  it("shutdown lets turns finish within the deadline and aborts them after it", async () => {
    const quick = setup();
    quick.bus.publish(msg("slow but fine"));
    await new Promise((r) => setTimeout(r, 5));
    expect(await quick.bus.shutdown(2000)).toEqual({ aborted: 0, dropped: 0 });
    expect(quick.sent.map((s) => s.text)).toEqual(["re: slow but fine"]);
    quick.bus.publish(msg("too late"));
    expect(quick.logs.some((l) => l.includes("during shutdown"))).toBe(true);

    const stuck = setup();
    stuck.bus.publish(msg("very slow"));
    stuck.bus.publish(msg("queued behind"));
    await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    expect(await stuck.bus.shutdown(50)).toEqual({ aborted: 1, dropped: 1 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(stuck.sent).toEqual([]);
  });

  it("messages cut off by a shutdown stay in the inbox and are answered after the restart", async () => {
    const inbox = new Inbox(join(mkdtempSync(join(tmpdir(), "kavilo-inbox-")), "queue", "inbox.jsonl"));
    const first = setup({ inbox });
    first.bus.publish(msg("very slow question"));
    first.bus.publish(msg("queued behind it"));
    await new Promise((r) => setTimeout(r, 5));
    expect(await first.bus.shutdown(50)).toEqual({ aborted: 1, dropped: 1 });
    first.bus.publish(msg("arrived while stopping"));
    expect(inbox.pending().map((p) => p.msg.text)).toEqual([
      "very slow question",
      "queued behind it",
      "arrived while stopping",
    ]);

    // The next start: a new bus over the same inbox (and a model that answers at once).
    const second = setup({ inbox, fast: true });
    expect(await second.bus.replayPending()).toBe(3);
    await until(() => second.sent.length === 3);
    expect(second.sent.map((m) => m.text)).toEqual([
      "re: very slow question",
      "re: queued behind it",
      "re: arrived while stopping",
    ]);
    expect(inbox.pending()).toEqual([]);
    expect(await setup({ inbox }).bus.replayPending()).toBe(0);
  });
});

describe("Inbox", () => {
  it("gives up on a message that every start replays without finishing", async () => {
    const inbox = new Inbox(join(mkdtempSync(join(tmpdir(), "kavilo-inbox-")), "inbox.jsonl"));
    inbox.add(msg("the poison"));
    // Three starts replay it and crash before its turn ends (no done is ever written).
    for (let start = 1; start <= 3; start++) expect((await inbox.compact())[0]?.tries).toBe(start);
    const fourth = setup({ inbox, fast: true });
    expect(await fourth.bus.replayPending()).toBe(0);
    expect(fourth.logs.some((l) => l.includes("giving up on a message") && l.includes("the poison"))).toBe(
      true,
    );
    expect(fourth.sent).toEqual([]);
    expect(inbox.pending()).toEqual([]);
  });

  it("empties a large file once nothing is pending", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kavilo-inbox-")), "inbox.jsonl");
    const inbox = new Inbox(file);
    const big = "x".repeat(300_000);
    for (let i = 0; i < 4; i++) inbox.done(inbox.add(msg(big)));
    expect(statSync(file).size).toBeLessThan(1024 * 1024);
    const id = inbox.add(msg("still open"));
    expect(inbox.pending().map((p) => p.msg.text)).toEqual(["still open"]);
    inbox.done(id);
    expect(inbox.pending()).toEqual([]);
  });

  it("keeps what was added and not done, skips a torn line, and compacts", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kavilo-inbox-")), "queue", "inbox.jsonl");
    const inbox = new Inbox(file);
    const a = inbox.add(msg("a"));
    inbox.add(msg("b"));
    inbox.done(a);
    appendFileSync(file, '{"add":"zz","msg":{"chan');
    expect(inbox.pending().map((p) => p.msg.text)).toEqual(["b"]);
    const kept = await inbox.compact();
    expect(kept.map((p) => p.msg.text)).toEqual(["b"]);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
