import pino from "pino";
import { isSecretKey, redactSecrets, redactText } from "./redact.js";
import { openRotatingFile, type RotatingFileOptions } from "./rotating-file.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

/** The runtime's logger: JSON lines to the log file, one short human line per event to stderr. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  close(): void;
}

export interface LoggerOptions extends RotatingFileOptions {
  /** The JSON log file (logs/kavilo.log); none means stderr only. */
  file?: string;
  /** Where the human lines go; default process.stderr. */
  stderr?: (line: string) => void;
  /** Adds debug lines to stderr and the file. */
  debug?: boolean;
  /** Exact secret values (tokens from config) masked wherever they appear. */
  secrets?: readonly (string | undefined)[];
  now?: () => Date;
}

const pad = (n: number) => String(n).padStart(2, "0");
const LABEL: Record<LogLevel, string> = { debug: "debug: ", info: "", warn: "warning: ", error: "error: " };

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = opts.secrets ?? [];
  const now = opts.now ?? (() => new Date());
  const toStderr = opts.stderr ?? ((line: string) => process.stderr.write(line));
  const scrub = (text: string) => redactText(text, secrets);
  const scrubFields = (fields: LogFields): LogFields => {
    const masked = redactSecrets(fields);
    return JSON.parse(scrub(JSON.stringify(masked))) as LogFields;
  };
  const file = opts.file ? openRotatingFile(opts.file, opts) : undefined;
  const json = file
    ? pino(
        {
          level: opts.debug ? "debug" : "info",
          base: { pid: process.pid },
          timestamp: pino.stdTimeFunctions.isoTime,
          formatters: { level: (label) => ({ level: label }) },
        },
        { write: (line: string) => file.write(line) },
      )
    : undefined;

  function emit(level: LogLevel, msg: string, fields?: LogFields) {
    if (level === "debug" && !opts.debug) return;
    const text = scrub(msg);
    const extra = fields ? scrubFields(fields) : undefined;
    json?.[level](extra ?? {}, text);
    const t = now();
    const detail = opts.debug && extra && Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : "";
    toStderr(
      `[${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}] ${LABEL[level]}${text}${detail}\n`,
    );
  }

  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    close() {
      file?.close();
    },
  };
}

/** Every non-empty string under a secret-looking key (apiKey, token, botToken ...) of a config object. */
export function secretValuesOf(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown, masked: boolean) => {
    if (typeof v === "string") {
      if (masked && v) found.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, masked);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, masked || isSecretKey(k));
    }
  };
  walk(value, false);
  return [...found];
}
