import type { Logger, LogLevel } from "@slack/web-api";
import { redactText } from "./redact.js";

type Log = (level: "info" | "warn" | "error", msg: string) => void;

/**
 * Routes the Slack SDKs' warnings and errors (@slack/web-api, @slack/socket-mode: both take this
 * logger) to kavilo's log, redacted. Their debug and info lines (which include raw payloads) are
 * dropped. Shared by the Slack channel and the Slack MCP tools; it loads no Slack package.
 */
export function slackLogger(log: Log, secrets: readonly string[]): Logger {
  let level = "warn" as LogLevel;
  const line = (parts: unknown[]) =>
    redactText(parts.map((p) => (p instanceof Error ? p.message : String(p))).join(" "), secrets);
  return {
    debug: () => {},
    info: () => {},
    warn: (...parts: unknown[]) => log("warn", `slack: ${line(parts)}`),
    error: (...parts: unknown[]) => log("error", `slack: ${line(parts)}`),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
