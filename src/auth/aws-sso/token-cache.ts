import { createHash } from "node:crypto";
import { join } from "node:path";
import * as z from "zod";
import { optionalText } from "../json-fields.js";
import type { TokenJson } from "../token-store.js";
import { type AwsEnv, awsUserHome } from "./config-file.js";

/** `~/.aws/sso/cache/<sha1 hex of the session name>.json`, where `aws sso login` keeps the token. */
export function ssoCachePath(env: AwsEnv, sessionName: string): string {
  const key = createHash("sha1").update(sessionName, "utf8").digest("hex");
  return join(awsUserHome(env), ".aws", "sso", "cache", `${key}.json`);
}

/** The cache's timestamps: ISO (`2026-01-01T00:00:00Z`), also the older `...UTC` suffix. */
export function parseAwsTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value.trim().replace(/UTC$/, "Z"));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** How the AWS CLI writes `expiresAt`: ISO 8601 in UTC, seconds, `Z` (botocore's `%Y-%m-%dT%H:%M:%SZ`). */
export function formatAwsTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const cacheSchema = z.looseObject({
  accessToken: optionalText,
  expiresAt: optionalText,
  refreshToken: optionalText,
  clientId: optionalText,
  clientSecret: optionalText,
  registrationExpiresAt: optionalText,
  region: optionalText,
});

/** A cached SSO token as kavilo uses it. Never logged: it holds tokens and the client secret. */
export interface SsoCachedToken {
  accessToken?: string;
  expiresAt?: Date;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: Date;
  region?: string;
}

export function parseSsoCache(json: TokenJson): SsoCachedToken | undefined {
  const parsed = cacheSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  return {
    accessToken: c.accessToken,
    expiresAt: parseAwsTime(c.expiresAt),
    refreshToken: c.refreshToken,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    registrationExpiresAt: parseAwsTime(c.registrationExpiresAt),
    region: c.region,
  };
}
