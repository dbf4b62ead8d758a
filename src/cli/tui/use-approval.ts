import { useMemo, useRef, useState } from "react";
import type { ApprovalDecision, ApprovalRequest, Interaction } from "../../core/agent/interaction.js";

export interface PendingApproval {
  /** Distinct per request, so each prompt starts on its first option. */
  id: number;
  request: ApprovalRequest;
  answer(decision: ApprovalDecision): void;
}

/** Who answered, as the log and the session keep it. */
export const TUI_APPROVER = "tui";

/**
 * The TUI side of approvals (tools.approval): a risky tool call becomes a pending prompt the app
 * shows in place of the input box (Allow once / Allow always / Deny), as MCP forms are shown.
 * Requests arriving while one is open wait their turn; when the gate gives up (timeout, Ctrl-C
 * stopping the turn) the open prompt goes away as a deny.
 */
export function useApproval(): { pending: PendingApproval | null; interaction: Interaction } {
  const [pending, setPending] = useState<PendingApproval | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const ids = useRef(0);
  const interaction = useMemo<Interaction>(
    () => ({
      approve(request, signal) {
        const ask = () =>
          new Promise<ApprovalDecision>((resolve) => {
            if (signal.aborted) return resolve({ allow: false, reason: "no answer" });
            const finish = (decision: ApprovalDecision) => {
              signal.removeEventListener("abort", onAbort);
              setPending(null);
              resolve(decision);
            };
            const onAbort = () => finish({ allow: false, reason: "no answer" });
            signal.addEventListener("abort", onAbort, { once: true });
            ids.current += 1;
            setPending({ id: ids.current, request, answer: finish });
          });
        const answered = queue.current.then(ask, ask);
        queue.current = answered;
        return answered;
      },
    }),
    [],
  );
  return { pending, interaction };
}
