import type { AttemptFailure } from "./policy-stream.js";
import { ProviderError } from "./types.js";

/** The error body the Codex backend sends with a 429 when the subscription's limit is used up. */
export interface UsageLimitBody {
  type?: unknown;
  code?: unknown;
  plan_type?: unknown;
  /** Unix seconds. */
  resets_at?: unknown;
  resets_in_seconds?: unknown;
}

export function isUsageLimit(body: UsageLimitBody | undefined): boolean {
  return body?.type === "usage_limit_reached" || body?.code === "usage_limit_reached";
}

function resetTime(body: UsageLimitBody, now: Date): Date | undefined {
  if (typeof body.resets_at === "number" && body.resets_at > 0) return new Date(body.resets_at * 1000);
  if (typeof body.resets_in_seconds === "number" && body.resets_in_seconds >= 0) {
    return new Date(now.getTime() + body.resets_in_seconds * 1000);
  }
  return undefined;
}

/** A moment in the user's time zone (`agents.defaults.timezone`, else the process's), with its zone name. */
export function formatInZone(at: Date, timezone: string | undefined): string {
  const opts: Intl.DateTimeFormatOptions = {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...opts, ...(timezone ? { timeZone: timezone } : {}) }).format(
      at,
    );
  } catch {
    // An unknown zone name in the config: the process's zone rather than no time at all.
    return new Intl.DateTimeFormat("en-GB", opts).format(at);
  }
}

function planName(plan: unknown): string | undefined {
  if (typeof plan !== "string" || !plan.trim()) return undefined;
  return plan.charAt(0).toUpperCase() + plan.slice(1);
}

/**
 * The subscription's usage limit, in one line: the plan and when it resets, in the user's zone.
 * Final: retrying before the reset only spends requests.
 */
export function usageLimitFailure(
  provider: string,
  body: UsageLimitBody,
  opts: { status?: number | undefined; timezone?: string | undefined; now?: Date },
): AttemptFailure {
  const now = opts.now ?? new Date();
  const plan = planName(body.plan_type);
  const at = resetTime(body, now);
  const which = plan
    ? `the ChatGPT ${plan} plan's usage limit is reached`
    : "the ChatGPT usage limit is reached";
  const when = at ? `it resets ${formatInZone(at, opts.timezone)}` : "it resets later (see chatgpt.com)";
  const error = new ProviderError(`${provider}: ${which}; ${when}`, {
    code: "rate_limit",
    provider,
    ...(opts.status !== undefined ? { status: opts.status } : {}),
    hint: "wait for the reset, or use another provider (kavilo config set agents.defaults.provider <name>)",
  });
  return { error, final: true };
}
