import { acceptDefaults, elicitFields, missingRequired } from "../core/agent/elicitation-fields.js";
import type { Interaction } from "../core/agent/interaction.js";
import { terminalApprover } from "./terminal-approval.js";

export const NO_TERMINAL_HINT =
  "agent -m has no terminal to ask: run it again with --yes to allow, or add a pattern to tools.exec.allow, or set tools.approval.mode to auto";

/**
 * `agent -m`: nobody to ask. Without --yes there is no `elicit`, so the MCP client declines and says
 * so in the tool result; with --yes a server's form is accepted with its defaults, unless a required
 * field has none (then it is declined: kavilo does not invent answers).
 */
export function headlessInteraction(yes: boolean | undefined, askAtTerminal = false): Interaction {
  // Approvals: with tools.approval.mode "ask" and a terminal (askAtTerminal), a risky tool is asked
  // about there (stderr, a line on stdin). Otherwise nobody can be asked: under "ask" it is denied
  // with this hint, and an unset mode stays auto. --yes allows it; the log and session say --yes.
  if (!yes) return askAtTerminal ? { approve: terminalApprover() } : { cannotAsk: NO_TERMINAL_HINT };
  return {
    async approve() {
      return { allow: true, by: "--yes" };
    },
    async elicit(req) {
      const fields = elicitFields(req.schema);
      const accepted = acceptDefaults(fields);
      if (accepted.action === "accept" && missingRequired(fields, accepted.content).length > 0) {
        return { action: "decline" };
      }
      return accepted;
    },
  };
}
