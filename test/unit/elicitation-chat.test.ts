import { describe, expect, it } from "vitest";
import { elicitFields } from "../../src/core/agent/elicitation-fields.js";
import type { AgentEvent } from "../../src/core/agent/events.js";
import type { ElicitationResult, ElicitationSchema } from "../../src/core/agent/interaction.js";
import type { AgentRunner } from "../../src/core/agent/types.js";
import { chatQuestion, parseChatAnswer } from "../../src/core/bus/chat-elicitation.js";
import { createMessageBus } from "../../src/core/bus/message-bus.js";
import type { InboundMessage, OutboundMessage } from "../../src/core/bus/types.js";

const SCHEMA: ElicitationSchema = {
  type: "object",
  properties: {
    title: { type: "string", title: "Title", default: "Weekly" },
    copies: { type: "integer", title: "Copies", default: 2 },
    format: { type: "string", title: "Format", enum: ["pdf", "html"], default: "html" },
    urgent: { type: "boolean", title: "Urgent", default: false },
    owner: { type: "string", title: "Owner" },
  },
  required: ["owner"],
};
const ZERO = { input: 0, output: 0 };

function msg(text: string, senderId = "u1"): InboundMessage {
  return {
    channel: "telegram",
    chatId: "42",
    senderId,
    text,
    sessionKey: "telegram:42",
    receivedAt: new Date().toISOString(),
  };
}

/** An agent whose one tool call asks the user the form and answers with what came back. */
function askingAgent(): Pick<AgentRunner, "runTurn" | "resetSession"> {
  return {
    async resetSession() {},
    runTurn(req) {
      return (async function* (): AsyncGenerator<AgentEvent> {
        const text = typeof req.input === "string" ? req.input : "";
        let answer: ElicitationResult | string = `re: ${text}`;
        if (text === "configure") {
          answer = (await req.interaction?.elicit?.(
            { server: "srv", message: "Settings", schema: SCHEMA },
            req.signal ?? new AbortController().signal,
          )) ?? { action: "decline" };
        }
        yield { type: "turn-end", reason: "stop", text: JSON.stringify(answer), usage: ZERO, iterations: 1 };
      })();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

/** A message bus over askingAgent(), recording what it sends. */
function askingBus() {
  const sent: OutboundMessage[] = [];
  const bus = createMessageBus({
    agent: askingAgent(),
    send: async (m) => {
      sent.push(m);
    },
    maxConcurrentSessions: 2,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { sent, bus };
}

describe("MCP forms in chat channels", () => {
  it("asks the user who triggered the turn in that chat; their next message is the answer, not a turn", async () => {
    const { sent, bus } = askingBus();
    bus.publish(msg("configure"));
    await tick();
    expect(sent[0]?.text).toContain('The MCP server "srv" asks: Settings');
    expect(sent[0]?.text).toContain("• Owner — required");
    expect(sent[0]?.chatId).toBe("42");
    // Someone else in the group chat does not answer it: their message waits for its own turn.
    bus.publish(msg("hello", "u2"));
    bus.publish(msg("Owner: ana\ncopies: 3", "u1"));
    await tick();
    const answer = sent.find((m) => m.text.startsWith("{"));
    expect(JSON.parse(answer?.text ?? "{}")).toEqual({
      action: "accept",
      content: { title: "Weekly", copies: 3, format: "html", urgent: false, owner: "ana" },
    });
    await tick();
    await tick();
    expect(sent.map((m) => m.text)).toContain('"re: hello"');
    expect(sent.map((m) => m.text)).not.toContain('"re: Owner: ana\\ncopies: 3"');
    await bus.shutdown(1000);
  });

  it("/stop while the question waits cancels it", async () => {
    const { sent, bus } = askingBus();
    bus.publish(msg("configure"));
    await tick();
    bus.publish(msg("/stop"));
    await tick();
    expect(sent.map((m) => m.text)).toContain('{"action":"cancel"}');
    await bus.shutdown(1000);
  });

  it("parses ok, decline, cancel, field lines and bad values", () => {
    const fields = elicitFields(SCHEMA);
    expect(parseChatAnswer(fields, "ok")).toEqual({ error: "still needed: Owner" });
    expect(parseChatAnswer(fields, "decline")).toEqual({ result: { action: "decline" } });
    expect(parseChatAnswer(fields, "cancel")).toEqual({ result: { action: "cancel" } });
    expect(parseChatAnswer(fields, "owner: bo\nformat: PDF\nurgent: yes")).toEqual({
      result: {
        action: "accept",
        content: { title: "Weekly", copies: 2, format: "pdf", urgent: true, owner: "bo" },
      },
    });
    expect(parseChatAnswer(fields, "copies: many")).toEqual({ error: 'Copies: "many" is not a number' });
    expect(parseChatAnswer(fields, "colour: red")).toEqual({
      error: '"colour: red" names no field of the form',
    });
    expect(chatQuestion({ server: "srv", message: "Settings", schema: SCHEMA }, fields)).toContain(
      "• Format: pdf | html — default: html",
    );
  });
});
