import { existsSync } from "node:fs";
import { type CodexLoginStatus, codexLoginStatus } from "../auth/codex/login-status.js";
import { codexAuthPath } from "../auth/codex/paths.js";
import { isAlive } from "../core/base/file-lock.js";
import { createAwsSsoRefresher } from "./aws-sso.js";
import { createCodexRefresher } from "./codex.js";
import { slackMcpRefresherSchedule } from "./slack-mcp.js";
import { type RefresherState, readRefresherState, refresherStatePath } from "./state.js";
import type { Refresher } from "./types.js";

type Section = { enabled: boolean; refreshIntervalS: number; refreshLeadS: number };

/** The refreshers as `status`, the `kavilo_status` tool and `doctor` show them. No token. */
export interface RefresherReport {
  /** `running`: a `kavilo start` of this profile is up and wrote this; `stopped`: the last one did; `never`: none ran. */
  source: "running" | "stopped" | "never";
  pid?: number;
  updatedAt?: string;
  refreshers: RefresherState[];
  /** The Codex CLI login (account, plan, expiry, last refresh), when there is an auth.json or the provider needs one. */
  codexLogin?: CodexLoginStatus;
}

/**
 * What each refresher would do now (enabled or why not, from the config and the environment),
 * merged with what the last `kavilo start` of this profile recorded (targets, expiry, last
 * refresh, last result, next tick) in `<home>/refreshers.json`.
 */
export async function refresherReport(input: {
  home: string;
  config: { codex: Section; aws: Section };
  env: Readonly<Record<string, string | undefined>>;
  /** Show the Codex login even without an auth.json (the provider is openai_codex). */
  wantCodexLogin?: boolean;
}): Promise<RefresherReport> {
  const current: Array<Pick<Refresher, "name" | "intervalMs" | "enabled">> = [
    createCodexRefresher({ env: input.env, config: input.config.codex }),
    createAwsSsoRefresher({ env: input.env, config: input.config.aws }),
    slackMcpRefresherSchedule(input.env),
  ];
  const saved = await readRefresherState(refresherStatePath(input.home));
  const rows: RefresherState[] = current.map((r) => {
    const on = r.enabled();
    const last = saved?.refreshers.find((s) => s.name === r.name);
    return {
      name: r.name,
      enabled: on.enabled,
      ...(on.enabled ? {} : { reason: on.reason }),
      intervalS: Math.round(r.intervalMs / 1000),
      ...(last?.lastTickAt ? { lastTickAt: last.lastTickAt } : {}),
      ...(last?.nextTickAt ? { nextTickAt: last.nextTickAt } : {}),
      targets: last?.targets ?? [],
    };
  });
  // Any other refresher the last start recorded shows as it recorded it.
  for (const s of saved?.refreshers ?? []) if (!rows.some((r) => r.name === s.name)) rows.push(s);
  const source = !saved ? "never" : isAlive(saved.pid) ? "running" : "stopped";
  const showLogin = input.wantCodexLogin || existsSync(codexAuthPath(input.env));
  return {
    source,
    ...(saved ? { pid: saved.pid, updatedAt: saved.updatedAt } : {}),
    refreshers: rows,
    ...(showLogin ? { codexLogin: await codexLoginStatus(input.env) } : {}),
  };
}
