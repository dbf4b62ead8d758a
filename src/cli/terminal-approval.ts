import type { ApprovalDecision, Interaction } from "../core/agent/interaction.js";

/** Who answered at the terminal of `agent -m`, as the log and the session keep it. */
export const TERMINAL_APPROVER = "terminal";

/**
 * `agent -m` run from a terminal: a risky tool (tools.approval.mode ask) is asked about on stderr
 * and answered with a line on stdin: y (once), a (always, saving the pattern), anything else denies.
 * Ctrl-C stops the turn as usual (and so drops the question).
 */
export function terminalApprover(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): NonNullable<Interaction["approve"]> {
  return async (req, signal): Promise<ApprovalDecision> => {
    // readline only when a question is asked: most one-shots never ask one.
    const { createInterface } = process.getBuiltinModule("node:readline/promises");
    const rl = createInterface({ input, output, terminal: false });
    const always = req.pattern ? `, [a]lways (${req.pattern})` : "";
    const what = req.tool === "shell" ? "run" : `${req.tool}:`;
    try {
      const line = await rl.question(`kavilo: ${what} ${req.summary}\n  allow? [y]es once${always}, [N]o: `, {
        signal,
      });
      const answer = line.trim().toLowerCase();
      if (answer === "y" || answer === "yes") return { allow: true, by: TERMINAL_APPROVER };
      if (req.pattern && (answer === "a" || answer === "always")) {
        return { allow: true, always: true, by: TERMINAL_APPROVER };
      }
      return { allow: false, reason: "denied at the terminal", by: TERMINAL_APPROVER };
    } catch {
      return { allow: false, reason: "no answer" };
    } finally {
      rl.close();
      // Let the process end once the turn is over: nothing else reads stdin in agent -m.
      (input as Partial<NodeJS.ReadStream>).pause?.();
    }
  };
}
