import type { Usage } from "../../providers/types.js";

/** Cuts a string to `max` visible characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return "";
  if (text.length <= max) return text;
  if (max === 1) return "…";
  return `${text.slice(0, max - 1)}…`;
}

/** "0.4s", "12s", "2m05s": short enough for a one-line tool status. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
}

export function totalTokens(usage: Usage): number {
  return usage.input + usage.output;
}

/** "950", "12.3k", "4.1M". */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

function formatArgValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Tool arguments come from the model or MCP; a value JSON cannot encode must not crash the UI.
    return String(value);
  }
}

/** One-line form of tool arguments: `path="a.ts", limit=20`, whitespace collapsed, truncated. */
export function shortArgs(args: unknown, max: number): string {
  let text: string;
  if (args !== null && typeof args === "object" && !Array.isArray(args)) {
    text = Object.entries(args as Record<string, unknown>)
      .map(([key, value]) => `${key}=${formatArgValue(value)}`)
      .join(", ");
  } else if (args === undefined) {
    text = "";
  } else {
    text = formatArgValue(args);
  }
  return truncate(text.replace(/\\n|\s+/g, " "), max);
}
