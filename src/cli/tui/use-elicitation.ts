import { useMemo } from "react";
import { type ElicitField, elicitFields } from "../../core/agent/elicitation-fields.js";
import type { ElicitationRequest, ElicitationResult, Interaction } from "../../core/agent/interaction.js";
import { useQuestionQueue } from "./use-question-queue.js";

export interface PendingElicitation {
  /** Distinct per request, so each form starts from its own defaults. */
  id: number;
  request: ElicitationRequest;
  fields: ElicitField[];
  answer(result: ElicitationResult): void;
}

const CANCEL: ElicitationResult = { action: "cancel" };

/**
 * The TUI side of a turn's Interaction: an MCP server's form request becomes a pending form the
 * app shows in place of the prompt; the answer resolves the server's request. Requests arriving
 * while one is open wait their turn. A stopped turn (Ctrl-C) cancels its open form.
 */
export function useElicitation(): { pending: PendingElicitation | null; interaction: Interaction } {
  const { pending: open, ask } = useQuestionQueue<ElicitationRequest, ElicitationResult>(CANCEL);
  const pending = useMemo(
    () => (open ? { ...open, fields: elicitFields(open.request.schema) } : null),
    [open],
  );
  const interaction = useMemo<Interaction>(() => ({ elicit: ask }), [ask]);
  return { pending, interaction };
}
