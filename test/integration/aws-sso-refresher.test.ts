import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAwsSsoRefresher } from "../../src/refreshers/aws-sso.js";
import { type FakeSsoOidcServer, startFakeSsoOidcServer } from "../fakes/sso-oidc-server.js";
import { writeAwsConfig, writeSsoCache } from "../helpers/aws-sso.js";

let server: FakeSsoOidcServer;
let home: string;
let env: Record<string, string>;
const config = { enabled: true, refreshIntervalS: 300, refreshLeadS: 600 };

beforeEach(async () => {
  server = await startFakeSsoOidcServer();
  home = await mkdtemp(join(tmpdir(), "aws-sso-"));
  env = { HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: server.url };
});
afterEach(() => server.close());

describe("AWS SSO refresher", () => {
  it("refreshes a near-expiry session through CreateToken and keeps the other fields and the file's mode", async () => {
    await writeAwsConfig(home, "corp");
    const login = server.login();
    const now = new Date("2026-03-01T12:00:00Z");
    const path = await writeSsoCache(home, "corp", login, new Date(now.getTime() + 300_000), { mode: 0o644 });
    const before = JSON.parse(await readFile(path, "utf8")) as Record<string, string>;
    const outcomes = await createAwsSsoRefresher({ env, config }).tick(now);
    expect(server.bodies).toEqual([
      {
        clientId: login.clientId,
        clientSecret: login.clientSecret,
        grantType: "refresh_token",
        refreshToken: login.refreshToken,
      },
    ]);
    const after = JSON.parse(await readFile(path, "utf8")) as Record<string, string>;
    expect(after.accessToken).not.toBe(login.accessToken);
    expect(after.refreshToken).not.toBe(login.refreshToken);
    expect(after.expiresAt).toBe("2026-03-01T13:00:00Z");
    for (const key of ["startUrl", "region", "clientId", "clientSecret", "registrationExpiresAt"]) {
      expect(after[key]).toBe(before[key]);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect(outcomes).toEqual([
      { target: "corp", result: "refreshed", expiresAt: "2026-03-01T13:00:00.000Z" },
    ]);
  });

  it("leaves a token outside the lead alone", async () => {
    await writeAwsConfig(home, "corp");
    const now = new Date("2026-03-01T12:00:00Z");
    await writeSsoCache(home, "corp", server.login(), new Date(now.getTime() + 3600_000));
    const outcomes = await createAwsSsoRefresher({ env, config }).tick(now);
    expect(outcomes).toEqual([{ target: "corp", result: "fresh", expiresAt: "2026-03-01T13:00:00.000Z" }]);
    expect(server.stats.requests).toBe(0);
  });

  it("InvalidGrantException is one failure naming the session and aws sso login; the file is unchanged", async () => {
    await writeAwsConfig(home, "corp");
    const login = server.login();
    server.revoke(login.refreshToken);
    const now = new Date("2026-03-01T12:00:00Z");
    const path = await writeSsoCache(home, "corp", login, new Date(now.getTime() + 60_000));
    const bytes = await readFile(path, "utf8");
    const outcomes = await createAwsSsoRefresher({ env, config }).tick(now);
    expect(outcomes).toEqual([
      {
        target: "corp",
        result: "failed",
        reason:
          "SSO-OIDC refused the refresh (InvalidGrantException): run `aws sso login --sso-session corp`",
      },
    ]);
    expect(await readFile(path, "utf8")).toBe(bytes);
  });

  it("skips legacy profiles, never-logged-in sessions, tokens without a refresh token and expired registrations", async () => {
    await writeAwsConfig(
      home,
      "corp",
      "\n[profile legacy]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n" +
        "[sso-session none]\nsso_region = us-east-1\n" +
        "[sso-session norefresh]\nsso_region = us-east-1\n",
    );
    const now = new Date("2026-03-01T12:00:00Z");
    const soon = new Date(now.getTime() + 60_000);
    const { refreshToken: _, ...noRefresh } = server.login();
    await writeSsoCache(home, "norefresh", noRefresh, soon);
    await writeSsoCache(home, "corp", server.login(), soon, {
      registrationExpiresAt: new Date(now.getTime() - 1000),
    });
    const outcomes = await createAwsSsoRefresher({ env, config }).tick(now);
    expect(outcomes).toEqual([
      {
        target: "profile legacy",
        result: "skipped",
        reason: expect.stringContaining("legacy SSO profile"),
      },
      {
        target: "corp",
        result: "skipped",
        reason:
          "the client registration expired at 2026-03-01T11:59:59.000Z; run `aws sso login --sso-session corp`",
      },
      {
        target: "none",
        result: "skipped",
        reason: "no cached token (never logged in); run `aws sso login --sso-session none`",
      },
      {
        target: "norefresh",
        result: "skipped",
        reason: "the cached token has no refresh token; run `aws sso login --sso-session norefresh`",
      },
    ]);
    expect(server.stats.requests).toBe(0);
  });

  it("a malformed cache file is reported and left byte-for-byte untouched", async () => {
    await writeAwsConfig(home, "corp");
    const path = await writeSsoCache(home, "corp", server.login(), new Date());
    await writeFile(path, '{"accessToken": "aoa-secret"');
    const [outcome] = await createAwsSsoRefresher({ env, config }).tick(new Date());
    expect(outcome?.result).toBe("failed");
    expect(outcome?.reason).toMatch(/is not valid JSON at line 1, column \d+; it was left untouched$/);
    expect(outcome?.reason).not.toContain("aoa-secret");
    expect(await readFile(path, "utf8")).toBe('{"accessToken": "aoa-secret"');
  });

  it("no AWS config file: nothing to do", async () => {
    expect(await createAwsSsoRefresher({ env, config }).tick(new Date())).toEqual([]);
  });

  it("KAVILO_AWS_REFRESH_DISABLED=1 or aws.enabled:false turns it off", () => {
    expect(
      createAwsSsoRefresher({ env: { ...env, KAVILO_AWS_REFRESH_DISABLED: "1" }, config }).enabled(),
    ).toEqual({
      enabled: false,
      reason: "KAVILO_AWS_REFRESH_DISABLED is set",
    });
    expect(createAwsSsoRefresher({ env, config: { ...config, enabled: false } }).enabled()).toEqual({
      enabled: false,
      reason: "aws.enabled is false",
    });
    expect(createAwsSsoRefresher({ env, config: { ...config, refreshIntervalS: 1 } }).intervalMs).toBe(1000);
  });
});
