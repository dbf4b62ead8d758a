import { type Logger, LogLevel } from "@slack/socket-mode";
import { redactText } from "../../core/base/redact.js";

type Log = (level: "info" | "warn" | "error", msg: string) => void;

/**
 * Routes the Slack SDKs' warnings and errors to kavilo's log, redacted. Their debug and info
 * lines (which include raw payloads) are dropped.
 */
export function slackLogger(log: Log, secrets: readonly string[]): Logger {
  let level = LogLevel.WARN;
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
