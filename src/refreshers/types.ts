/**
 * A refresher is a pure step that the runner (`refreshers/runner.ts`) ticks: "is it due? refresh;
 * write". It takes its clock and fetch as parameters so tests drive months in milliseconds.
 */

export type RefreshResult = "refreshed" | "fresh" | "adopted" | "skipped" | "failed";

export interface TargetOutcome {
  /** What was looked at: `auth.json`, an SSO session name, a Slack MCP alias. Never a token. */
  target: string;
  result: RefreshResult;
  /** One line, no token: why it was skipped or failed. */
  reason?: string;
  /** The credential's expiry after this tick, when known (ISO). */
  expiresAt?: string;
  /** A skip that needs no action (nothing to keep alive here) is said at info level, not as a warning. */
  quiet?: boolean;
}

export type RefresherEnabled = { enabled: true } | { enabled: false; reason: string };

export interface Refresher {
  /** `codex`, `aws-sso`, `slack-mcp`. */
  readonly name: string;
  /** How often the runner ticks it (before jitter). */
  readonly intervalMs: number;
  enabled(): RefresherEnabled;
  /** One tick at `now`. Must not throw for a target's failure: report it as a `failed` outcome. */
  tick(now: Date, signal?: AbortSignal): Promise<TargetOutcome[]>;
}
