import { useMemo } from "react";
import type { ApprovalDecision, ApprovalRequest, Interaction } from "../../core/agent/interaction.js";
import { type PendingQuestion, useQuestionQueue } from "./use-question-queue.js";

export type PendingApproval = PendingQuestion<ApprovalRequest, ApprovalDecision>;

/** Who answered, as the log and the session keep it. */
export const TUI_APPROVER = "tui";

const NO_ANSWER: ApprovalDecision = { allow: false, reason: "no answer" };

/**
 * The TUI side of approvals (tools.approval): a risky tool call becomes a pending prompt the app
 * shows in place of the input box (Allow once / Allow always / Deny), queued like MCP forms; when
 * the gate gives up (timeout, a stopped turn) the open prompt goes away as a deny.
 */
export function useApproval(): { pending: PendingApproval | null; interaction: Interaction } {
  const { pending, ask } = useQuestionQueue<ApprovalRequest, ApprovalDecision>(NO_ANSWER);
  const interaction = useMemo<Interaction>(() => ({ approve: ask }), [ask]);
  return { pending, interaction };
}
