/**
 * How a running turn asks its user something: whether a risky tool may run (approvals), or a form
 * an MCP server requests (elicitation). Each front-end supplies one per turn: the TUI renders a
 * prompt, Telegram/Slack ask the user who sent the triggering message, `agent -m` without a
 * terminal declines (or accepts defaults with `--yes`). Absent means "nobody to ask".
 */

export interface ApprovalRequest {
  /** The tool's name (`shell`, `write_file`). */
  tool: string;
  /** What will happen, in one line the user can judge (`rm -rf build`, `write ../notes.txt`). */
  summary: string;
  /** The pattern "Allow always" would save (`git status*`), when the tool has one. */
  pattern?: string;
}

/**
 * The reason `approve`'s signal carries when tools.approval.timeoutS ran out; any other reason
 * means the turn was stopped. A front-end says which on the question it takes down.
 */
export const APPROVAL_TIMED_OUT = "approval-timed-out";

export type ApprovalDecision =
  | { allow: true; always?: boolean; by?: string }
  | { allow: false; reason: string; by?: string };

/** A flat JSON Schema object as MCP's form-mode elicitation sends it (strings, numbers, booleans, enums). */
export interface ElicitationSchema {
  type: "object";
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
}

export interface ElicitationRequest {
  /** The MCP server alias that asks. */
  server: string;
  message: string;
  schema: ElicitationSchema;
}

export type ElicitationResult =
  | { action: "accept"; content: Record<string, string | number | boolean | string[]> }
  | { action: "decline" }
  | { action: "cancel" };

export interface Interaction {
  approve?(req: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision>;
  elicit?(req: ElicitationRequest, signal: AbortSignal): Promise<ElicitationResult>;
  /**
   * Set by a front-end that cannot ask (agent -m without a terminal): how the user can allow risky
   * tools instead. When approvals apply, a risky call is then denied with this text.
   */
  cannotAsk?: string;
}
