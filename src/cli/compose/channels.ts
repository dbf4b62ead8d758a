import type { RetryOptions } from "../../core/base/backoff.js";
import type { Logger } from "../../core/base/logger.js";
import type { Paths } from "../../core/base/paths.js";
import type { Channel } from "../../core/bus/types.js";
import { DEFAULT_UNDELIVERED_POLICY, type UndeliveredPolicy } from "../../core/bus/undelivered.js";
import type { Config } from "../../core/config/schema.js";

export interface BuildChannelsInput {
  config: Config;
  paths: Paths;
  log: Logger;
  retry: RetryOptions;
  env?: NodeJS.ProcessEnv;
}

/** Reconnect backoff: 5 s doubling to 60 s; tests shrink it with KAVILO_RECONNECT_BASE_MS / _MAX_MS. */
export function retryFromEnv(env: NodeJS.ProcessEnv): RetryOptions {
  const num = (v: string | undefined) => {
    const n = Number(v);
    return v !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const baseMs = num(env.KAVILO_RECONNECT_BASE_MS) ?? 5_000;
  const maxMs = num(env.KAVILO_RECONNECT_MAX_MS) ?? Math.max(baseMs, Math.min(60_000, baseMs * 12));
  return { baseMs, maxMs };
}

/** How replies that could not be delivered are retried; tests shorten it with KAVILO_UNDELIVERED_BASE_MS. */
export function undeliveredPolicyFromEnv(env: NodeJS.ProcessEnv): UndeliveredPolicy {
  const base = Number(env.KAVILO_UNDELIVERED_BASE_MS);
  if (!Number.isFinite(base) || base <= 0) return DEFAULT_UNDELIVERED_POLICY;
  return { ...DEFAULT_UNDELIVERED_POLICY, baseMs: base, maxMs: Math.max(base, base * 8) };
}

/**
 * Creates the enabled channels, importing each SDK only when its channel is on. A channel whose
 * config is unusable (no token) is reported and skipped; the others still run.
 */
export async function buildChannels(input: BuildChannelsInput): Promise<Channel[]> {
  const { config, paths, log, retry } = input;
  const channelLog = (level: "info" | "warn" | "error", msg: string) => log[level](msg);
  const out: Channel[] = [];
  const tg = config.channels.telegram;
  if (tg.enabled) {
    try {
      const { createTelegramChannel } = await import("../../channels/telegram/telegram-channel.js");
      out.push(createTelegramChannel({ config: tg, paths, log: channelLog, retry }));
    } catch (err) {
      log.error(`telegram: not started: ${(err as Error).message}`);
    }
  }
  const slack = config.channels.slack;
  if (slack.enabled) {
    try {
      const { createSlackChannel } = await import("../../channels/slack/slack-channel.js");
      const ping = Number(input.env?.KAVILO_SLACK_PING_TIMEOUT_MS);
      out.push(
        createSlackChannel({
          config: slack,
          paths,
          log: channelLog,
          retry,
          // Also the SDK's pause before reconnecting; tests shrink it.
          ...(ping > 0 ? { clientPingTimeoutMs: ping } : {}),
        }),
      );
    } catch (err) {
      log.error(`slack: not started: ${(err as Error).message}`);
    }
  }
  return out;
}
