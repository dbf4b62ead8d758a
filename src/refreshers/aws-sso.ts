import { type AwsEnv, awsConfigPath, readAwsSsoConfig } from "../auth/aws-sso/config-file.js";
import { refreshSsoSession } from "../auth/aws-sso/refresh.js";
import { sectionEnabled } from "./switches.js";
import type { Refresher, RefresherEnabled, TargetOutcome } from "./types.js";

export interface AwsSsoRefresherOptions {
  env: AwsEnv;
  /** The `aws` config section. */
  config: { enabled: boolean; refreshIntervalS: number; refreshLeadS: number };
  fetch?: typeof fetch;
}

/**
 * Keeps every `[sso-session NAME]` login of the AWS config file alive (re-read each tick, so a
 * session added meanwhile is seen). Legacy SSO profiles, sessions never logged in and expired client
 * registrations are skipped with a reason; a refused refresh is a failure naming the session.
 */
export function createAwsSsoRefresher(opts: AwsSsoRefresherOptions): Refresher {
  return {
    name: "aws-sso",
    intervalMs: opts.config.refreshIntervalS * 1000,
    enabled: (): RefresherEnabled =>
      sectionEnabled(opts.env, "KAVILO_AWS_REFRESH_DISABLED", "aws", opts.config.enabled),
    async tick(now, signal): Promise<TargetOutcome[]> {
      let config: Awaited<ReturnType<typeof readAwsSsoConfig>>;
      try {
        config = await readAwsSsoConfig(opts.env);
      } catch (err) {
        return [{ target: awsConfigPath(opts.env), result: "failed", reason: (err as Error).message }];
      }
      if (!config) return [];
      const outcomes: TargetOutcome[] = config.legacyProfiles.map((profile) => ({
        target: `profile ${profile}`,
        result: "skipped",
        reason:
          "a legacy SSO profile (sso_start_url without an sso-session) has no refresh token; " +
          "`aws configure sso` can move it to an sso-session block",
      }));
      for (const session of config.sessions) {
        try {
          const o = await refreshSsoSession(opts.env, session, {
            leadMs: opts.config.refreshLeadS * 1000,
            now,
            ...(opts.fetch ? { fetch: opts.fetch } : {}),
            ...(signal ? { signal } : {}),
          });
          if ("reason" in o) {
            outcomes.push({ target: session.name, result: o.kind, reason: o.reason });
          } else {
            const expiresAt = o.expiresAt?.toISOString();
            outcomes.push({ target: session.name, result: o.kind, ...(expiresAt ? { expiresAt } : {}) });
          }
        } catch (err) {
          outcomes.push({ target: session.name, result: "failed", reason: (err as Error).message });
        }
      }
      return outcomes;
    },
  };
}
