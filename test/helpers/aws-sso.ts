import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ssoCachePath } from "../../src/auth/aws-sso/token-cache.js";

/** Writes `<home>/.aws/config` with one sso-session block (and optional extra text). */
export async function writeAwsConfig(home: string, session: string, extra = ""): Promise<string> {
  const path = join(home, ".aws", "config");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    `[profile dev]\nsso_session = ${session}\nsso_account_id = 111122223333\nsso_role_name = Dev\n\n` +
      `[sso-session ${session}]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n` +
      `sso_registration_scopes = sso:account:access\n${extra}`,
  );
  return path;
}

/** Writes the SSO cache file the AWS CLI would have written after `aws sso login --sso-session NAME`. */
export async function writeSsoCache(
  home: string,
  session: string,
  token: { clientId: string; clientSecret: string; accessToken: string; refreshToken?: string },
  expiresAt: Date,
  opts: { mode?: number; registrationExpiresAt?: Date } = {},
): Promise<string> {
  const path = ssoCachePath({ HOME: home }, session);
  await mkdir(dirname(path), { recursive: true });
  const body = {
    startUrl: "https://example.awsapps.com/start",
    region: "eu-west-1",
    accessToken: token.accessToken,
    expiresAt: `${expiresAt.toISOString().slice(0, 19)}Z`,
    clientId: token.clientId,
    clientSecret: token.clientSecret,
    registrationExpiresAt: `${(opts.registrationExpiresAt ?? new Date(expiresAt.getTime() + 90 * 86_400_000)).toISOString().slice(0, 19)}Z`,
    ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
  };
  await writeFile(path, JSON.stringify(body));
  await chmod(path, opts.mode ?? 0o600);
  return path;
}
