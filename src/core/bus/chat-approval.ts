import {
  APPROVAL_TIMED_OUT,
  type ApprovalDecision,
  type ApprovalRequest,
  type Interaction,
} from "../agent/interaction.js";
import type { PendingChoices } from "./pending-choices.js";
import type { QuestionKey } from "./pending-questions.js";
import type { OutboundChoices } from "./types.js";

/** Longer summaries are quoted by their start and end, so the question stays one message. */
const MAX_QUOTE = 1500;
const HEAD = 1000;
const TAIL = 300;

/**
 * The summary as quoted: whole when short. A long one would be split over several messages with
 * the buttons under the last, showing only the command's tail there; so its start and end are
 * quoted, saying how much is left out.
 */
function quoted(summary: string): { text: string; note: string } {
  if (summary.length <= MAX_QUOTE) return { text: summary, note: "" };
  const cut = summary.length - HEAD - TAIL;
  return {
    text: `${summary.slice(0, HEAD)}\n[… ${cut} characters not shown …]\n${summary.slice(-TAIL)}`,
    note: `\nIt is ${summary.length} characters long: only its start and end are shown.`,
  };
}

/** The question as a chat message: what would run, quoted, and what "Allow always" would save. */
export function approvalQuestion(req: ApprovalRequest): string {
  const what = req.tool === "shell" ? "run this shell command" : `use ${req.tool}`;
  const always = req.pattern
    ? `\n"Allow always" adds \`${req.pattern}\` to ${req.tool === "shell" ? "tools.exec.allow" : "tools.approval.writeAllow"}.`
    : "";
  const { text, note } = quoted(req.summary);
  return `May I ${what}?\n\`\`\`\n${text}\n\`\`\`${note}${always}`;
}

/** What an unanswered question says in place of its buttons. */
export function unansweredOutcome(signal: AbortSignal): string {
  return signal.reason === APPROVAL_TIMED_OUT
    ? "→ no answer in time (tools.approval.timeoutS): denied"
    : "→ not answered: the turn was stopped";
}

export function approvalChoices(questionId: string, req: ApprovalRequest): OutboundChoices {
  return {
    questionId,
    options: [
      { value: "once", label: "Allow once", style: "primary" },
      ...(req.pattern ? [{ value: "always", label: "Allow always" }] : []),
      { value: "deny", label: "Deny", style: "danger" },
    ],
  };
}

/**
 * A chat turn's approvals: a message quoting the command with Allow once / Allow always / Deny
 * buttons, answered only by the user who sent the triggering message (PendingChoices). The gate
 * aborts `signal` when its time is up; the question then ends unanswered (a deny), and `close`
 * replaces its buttons with why, so nobody presses a dead button.
 */
export function chatApprover(opts: {
  key: QuestionKey;
  choices: PendingChoices;
  send: (text: string, choices: OutboundChoices) => Promise<void>;
  close?: (questionId: string, outcome: string) => Promise<void> | undefined;
}): NonNullable<Interaction["approve"]> {
  return async (req, signal): Promise<ApprovalDecision> => {
    const id = opts.choices.newId();
    const answered = opts.choices.wait(id, opts.key, signal);
    try {
      await opts.send(approvalQuestion(req), approvalChoices(id, req));
    } catch (err) {
      return { allow: false, reason: `the question could not be sent: ${(err as Error).message}` };
    }
    const chosen = await answered;
    if (!chosen) {
      await opts.close?.(id, unansweredOutcome(signal));
      return { allow: false, reason: "no answer" };
    }
    if (chosen.value === "deny") return { allow: false, reason: "denied in the chat", by: chosen.by };
    return { allow: true, always: chosen.value === "always", by: chosen.by };
  };
}
