import {
  acceptDefaults,
  type ElicitField,
  type ElicitValue,
  elicitFields,
  missingRequired,
  parseElicitValue,
} from "../agent/elicitation-fields.js";
import type { ElicitationRequest, ElicitationResult, Interaction } from "../agent/interaction.js";
import type { PendingQuestions, QuestionKey } from "./pending-questions.js";

/** How long a chat user has to answer a form before the server gets "cancel". */
export const CHAT_ANSWER_TIMEOUT_MS = 10 * 60_000;
const MAX_TRIES = 3;

function shown(v: ElicitValue): string {
  if (typeof v === "boolean") return v ? "yes" : "no";
  return Array.isArray(v) ? v.join(", ") : String(v);
}

function describeField(f: ElicitField): string {
  const kind =
    f.kind === "boolean"
      ? " (yes/no)"
      : f.kind === "number" || f.kind === "integer"
        ? " (number)"
        : f.options
          ? `: ${f.options.map((o) => o.value).join(" | ")}${f.kind === "multi" ? " (comma-separated)" : ""}`
          : "";
  const def = f.default !== undefined ? ` — default: ${shown(f.default)}` : f.required ? " — required" : "";
  return `• ${f.label}${kind}${def}`;
}

/** The question as a chat message: the server's message, its fields, and how to answer. */
export function chatQuestion(req: ElicitationRequest, fields: ElicitField[]): string {
  const single = fields.length === 1 ? `, or just the ${fields[0]?.label} itself` : "";
  return [
    `The MCP server "${req.server}" asks: ${req.message}`,
    ...fields.map(describeField),
    `Reply "ok" to accept the defaults, or answer with lines like "${fields[0]?.label ?? "Field"}: value"${single}. ` +
      'Reply "decline" to refuse, "cancel" to drop it.',
  ].join("\n");
}

/** A chat reply as the form's answer, or the one-line reason it is not one. */
export function parseChatAnswer(
  fields: ElicitField[],
  reply: string,
): { result: ElicitationResult } | { error: string } {
  const text = reply.trim();
  if (/^(decline|no|refuse)$/i.test(text)) return { result: { action: "decline" } };
  if (/^(cancel|stop)$/i.test(text)) return { result: { action: "cancel" } };
  const defaults = acceptDefaults(fields);
  const content: Record<string, ElicitValue> = defaults.action === "accept" ? { ...defaults.content } : {};
  if (!/^(ok|okay|yes|accept|y)$/i.test(text)) {
    const lines = text.split("\n").filter((l) => l.trim());
    const only = fields.length === 1 ? fields[0] : undefined;
    for (const line of lines) {
      const m = /^\s*([^:]+?)\s*[:=]\s*(.*)$/.exec(line);
      const field = m
        ? fields.find((f) => [f.name, f.label].some((n) => n.toLowerCase() === m[1]?.toLowerCase()))
        : undefined;
      const target = field ?? only;
      if (!target) return { error: `"${line.trim()}" names no field of the form` };
      const parsed = parseElicitValue(target, field && m ? (m[2] ?? "") : line);
      if ("error" in parsed) return parsed;
      content[target.name] = parsed.value;
    }
  }
  const missing = missingRequired(fields, content);
  if (missing.length) return { error: `still needed: ${missing.join(", ")}` };
  return { result: { action: "accept", content } };
}

/**
 * The Interaction of a chat turn: an MCP server's form is asked, in the chat, of the user who sent
 * the message; their next message there is the answer (up to three tries if it does not parse).
 */
export function chatInteraction(opts: {
  key: QuestionKey;
  questions: PendingQuestions;
  send: (text: string) => Promise<void>;
  timeoutMs?: number;
}): Interaction {
  return {
    async elicit(req, signal) {
      const fields = elicitFields(req.schema);
      await opts.send(chatQuestion(req, fields));
      for (let tries = 1; tries <= MAX_TRIES; tries++) {
        const reply = await opts.questions.ask(opts.key, signal, opts.timeoutMs ?? CHAT_ANSWER_TIMEOUT_MS);
        if (reply === undefined) return { action: "cancel" };
        const parsed = parseChatAnswer(fields, reply);
        if ("result" in parsed) return parsed.result;
        if (tries < MAX_TRIES) await opts.send(`${parsed.error}. Try again, or reply "cancel".`);
      }
      await opts.send("No usable answer; the request was cancelled.");
      return { action: "cancel" };
    },
  };
}
