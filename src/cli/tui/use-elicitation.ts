import { useMemo, useRef, useState } from "react";
import { type ElicitField, elicitFields } from "../../core/agent/elicitation-fields.js";
import type { ElicitationRequest, ElicitationResult, Interaction } from "../../core/agent/interaction.js";

export interface PendingElicitation {
  /** Distinct per request, so each form starts from its own defaults. */
  id: number;
  request: ElicitationRequest;
  fields: ElicitField[];
  answer(result: ElicitationResult): void;
}

/**
 * The TUI side of a turn's Interaction: an MCP server's form request becomes a pending form the
 * app shows in place of the prompt; the answer resolves the server's request. Requests arriving
 * while one is open wait their turn. A stopped turn (Ctrl-C) cancels its open form.
 */
export function useElicitation(): { pending: PendingElicitation | null; interaction: Interaction } {
  const [pending, setPending] = useState<PendingElicitation | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const ids = useRef(0);
  const interaction = useMemo<Interaction>(
    () => ({
      elicit(request, signal) {
        const ask = () =>
          new Promise<ElicitationResult>((resolve) => {
            if (signal.aborted) return resolve({ action: "cancel" });
            const finish = (result: ElicitationResult) => {
              signal.removeEventListener("abort", onAbort);
              setPending(null);
              resolve(result);
            };
            const onAbort = () => finish({ action: "cancel" });
            signal.addEventListener("abort", onAbort, { once: true });
            ids.current += 1;
            setPending({ id: ids.current, request, fields: elicitFields(request.schema), answer: finish });
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
