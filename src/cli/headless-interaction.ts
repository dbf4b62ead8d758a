import { acceptDefaults, elicitFields, missingRequired } from "../core/agent/elicitation-fields.js";
import type { Interaction } from "../core/agent/interaction.js";

/**
 * `agent -m`: nobody to ask. Without --yes there is no `elicit`, so the MCP client declines and says
 * so in the tool result; with --yes a server's form is accepted with its defaults, unless a required
 * field has none (then it is declined: kavilo does not invent answers).
 */
export function headlessInteraction(yes: boolean | undefined): Interaction {
  if (!yes) return {};
  return {
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
