import { existsSync } from "node:fs";
import { ConfigError } from "../core/config/load.js";
import type { Check, DiagnosticsContext } from "./types.js";

/** config.json: valid, missing (defaults apply), with unknown keys (migratable), or unusable. */
export function configCheck(ctx: DiagnosticsContext): Check {
  const id = "config.file";
  const path = ctx.basePaths.config;
  let loaded: ReturnType<DiagnosticsContext["config"]>["loaded"];
  try {
    ({ loaded } = ctx.config());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      id,
      area: "config",
      status: "fail",
      summary: err.message,
      fix: `fix ${path} (kavilo config validate checks it)`,
      data: { path, exists: existsSync(path), valid: false, error: err.message, warnings: [] },
    };
  }
  const data = { path, exists: existsSync(path), valid: true, warnings: loaded.warnings };
  if (!data.exists) {
    return {
      id,
      area: "config",
      status: "ok",
      summary: `${path} is missing: defaults and the environment apply`,
      data,
    };
  }
  if (loaded.warnings.length > 0) {
    const n = loaded.warnings.length;
    return {
      id,
      area: "config",
      status: "warn",
      summary: `${path}: ${n} unknown key${n === 1 ? "" : "s"} (${loaded.warnings[0]}${n > 1 ? ", ..." : ""})`,
      fix: "kavilo doctor --fix removes them after a backup (or edit the file)",
      ...(loaded.cleaned
        ? { repair: { kind: "migrate-config" as const, path, cleaned: loaded.cleaned } }
        : {}),
      data,
    };
  }
  return { id, area: "config", status: "ok", summary: `${path} is valid`, data };
}

/** Which environment variables are laid over config.json (KAVILO_MODEL, a provider's key ...): names only. */
export function envCheck(ctx: DiagnosticsContext): Check {
  const { applied } = ctx.config();
  return applied.length
    ? {
        id: "config.env",
        area: "config",
        status: "ok",
        summary: `the environment sets ${applied.join(", ")}`,
        data: { applied },
      }
    : {
        id: "config.env",
        area: "config",
        status: "skip",
        summary: "no environment variable overrides config.json",
        data: { applied },
      };
}
