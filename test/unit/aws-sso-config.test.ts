import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { awsConfigPath, parseAwsSsoConfig } from "../../src/auth/aws-sso/config-file.js";
import { formatAwsTime, parseAwsTime, ssoCachePath } from "../../src/auth/aws-sso/token-cache.js";

describe("AWS config parsing", () => {
  it("finds sso-session blocks and legacy SSO profiles; skips comments and indented sub-keys", () => {
    const text = [
      "# my config",
      "[default]",
      "region = us-east-1",
      "s3 =",
      "  sso_start_url = https://not-a-profile-key",
      "[profile dev]",
      "sso_session = corp",
      "sso_account_id = 1",
      "[sso-session corp]",
      "sso_start_url = https://corp.awsapps.com/start",
      "sso_region = eu-west-1 ; inline comment",
      "[ profile  old ]",
      "sso_start_url: https://old.awsapps.com/start",
      "sso_region = us-east-1",
      "[sso-session  Second Session ]",
      "sso_region=ap-southeast-2",
    ].join("\r\n");
    expect(parseAwsSsoConfig(text)).toEqual({
      sessions: [
        { name: "corp", region: "eu-west-1", startUrl: "https://corp.awsapps.com/start" },
        { name: "Second Session", region: "ap-southeast-2" },
      ],
      legacyProfiles: ["old"],
    });
  });

  it("uses AWS_CONFIG_FILE (with ~), else ~/.aws/config", () => {
    expect(awsConfigPath({ HOME: "/h" })).toBe("/h/.aws/config");
    expect(awsConfigPath({ HOME: "/h", AWS_CONFIG_FILE: "~/cfg" })).toBe("/h/cfg");
  });
});

describe("SSO cache", () => {
  it("is named by the sha1 hex of the session name", () => {
    const sha = createHash("sha1").update("corp").digest("hex");
    expect(ssoCachePath({ HOME: "/h" }, "corp")).toBe(`/h/.aws/sso/cache/${sha}.json`);
  });

  it("reads ISO and the older UTC-suffixed times and writes the CLI's format", () => {
    expect(parseAwsTime("2026-01-01T10:00:00Z")?.toISOString()).toBe("2026-01-01T10:00:00.000Z");
    expect(parseAwsTime("2026-01-01T10:00:00UTC")?.toISOString()).toBe("2026-01-01T10:00:00.000Z");
    expect(parseAwsTime("2026-01-01T10:00:00.123Z")?.toISOString()).toBe("2026-01-01T10:00:00.123Z");
    expect(parseAwsTime("soon")).toBeUndefined();
    expect(formatAwsTime(new Date("2026-01-01T10:00:00.999Z"))).toBe("2026-01-01T10:00:00Z");
  });
});
