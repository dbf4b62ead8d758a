import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeOpenAiTokenServer, startFakeOpenAiTokenServer } from "../fakes/openai-token-server.js";
import { type FakeSsoOidcServer, startFakeSsoOidcServer } from "../fakes/sso-oidc-server.js";
import { writeAwsConfig, writeSsoCache } from "../helpers/aws-sso.js";
import { runCli, tempHome } from "../helpers/cli.js";
import { writeCodexAuthFile } from "../helpers/codex-auth.js";
import { killAll, llmEnv, startKavilo, writeConfig } from "./start-harness.js";

let openai: FakeOpenAiTokenServer;
let sso: FakeSsoOidcServer;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  killAll();
  for (const c of closers.splice(0)) await c();
});

async function fakes() {
  openai = await startFakeOpenAiTokenServer();
  sso = await startFakeSsoOidcServer();
  const llm = await startFakeOpenAI({ respond: () => ({ text: "ok" }) });
  closers.push(
    () => openai.close(),
    () => sso.close(),
    () => llm.close(),
  );
  return llm.url;
}

const readJson = (path: string) =>
  JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, string>>;

describe("kavilo start keeps tokens alive", () => {
  it("rotates a near-expiry Codex auth.json and SSO cache at start-up, keeps other keys and modes, exits 0 on SIGTERM", async () => {
    const llmUrl = await fakes();
    const home = tempHome("kavilo-refresh-");
    const codexHome = join(home, "codex-home");
    const login = await openai.mint({ ttlS: 600 });
    const authPath = await writeCodexAuthFile(
      codexHome,
      { ...login, account_id: "acc-e2e" },
      { auth_mode: "chatgpt" },
    );
    const awsConfig = await writeAwsConfig(home, "corp");
    const ssoLogin = sso.login();
    const cachePath = await writeSsoCache(home, "corp", ssoLogin, new Date(Date.now() + 120_000), {
      mode: 0o640,
    });
    const cacheBefore = readJson(cachePath);
    writeConfig(home, {});
    const kavilo = await startKavilo({
      home,
      env: (h) =>
        llmEnv(h, llmUrl, {
          CODEX_HOME: codexHome,
          CODEX_REFRESH_TOKEN_URL_OVERRIDE: openai.tokenUrl,
          AWS_CONFIG_FILE: awsConfig,
          AWS_ENDPOINT_URL_SSO_OIDC: sso.url,
        }),
    });
    const auth = readJson(authPath);
    expect(auth.tokens?.refresh_token).not.toBe(login.refresh_token);
    expect(auth.tokens?.access_token).not.toBe(login.access_token);
    expect(auth.tokens?.account_id).toBe("acc-e2e");
    expect(auth.tokens?.future_token_field).toBe("kept");
    expect(auth.auth_mode).toBe("chatgpt");
    expect(statSync(authPath).mode & 0o777).toBe(0o600);
    const cache = readJson(cachePath);
    expect(cache.refreshToken).not.toBe(ssoLogin.refreshToken);
    expect(cache.accessToken).not.toBe(ssoLogin.accessToken);
    for (const key of ["startUrl", "region", "clientId", "clientSecret", "registrationExpiresAt"]) {
      expect(cache[key]).toEqual(cacheBefore[key]);
    }
    expect(statSync(cachePath).mode & 0o777).toBe(0o640);
    expect(openai.stats.refreshes).toBe(1);
    expect(sso.stats.refreshes).toBe(1);
    const err = kavilo.stderr();
    expect(err.match(/Refreshed codex /g)).toHaveLength(1);
    expect(err.match(/Refreshed aws-sso corp/g)).toHaveLength(1);
    expect(err).not.toContain(login.refresh_token);
    expect(err).not.toContain(ssoLogin.clientSecret);
    // status in another process shows the refreshers as the running start left them.
    const status = await runCli(["status"], {
      env: llmEnv(home, llmUrl, { CODEX_HOME: codexHome, AWS_CONFIG_FILE: awsConfig }),
    });
    expect(status.stdout).toMatch(/^refreshers +as of .* \(kavilo start pid \d+, running\)$/m);
    expect(status.stdout).toMatch(/^ +codex: every 3600 s, next /m);
    expect(status.stdout).toContain(`${authPath}: refreshed, expires `);
    expect(status.stdout).toMatch(/^ +aws-sso: every 300 s, next /m);
    expect(status.stdout).toMatch(/^ +corp: refreshed, expires /m);
    expect(status.stdout).toMatch(
      /^codex login +user@example\.com \(plus\), account acc-e2e, access token expires /m,
    );
    expect(status.stdout).not.toContain(auth.tokens?.access_token ?? "none");
    // The same data as JSON (what the kavilo_status tool returns), with no token in it.
    const json = await runCli(["status", "--json"], {
      env: llmEnv(home, llmUrl, { CODEX_HOME: codexHome, AWS_CONFIG_FILE: awsConfig }),
    });
    const report = JSON.parse(json.stdout) as {
      refreshers: {
        source: string;
        refreshers: Array<{ name: string; targets: Array<{ target: string; result: string }> }>;
      };
    };
    expect(report.refreshers.source).toBe("running");
    expect(report.refreshers.refreshers.find((r) => r.name === "aws-sso")?.targets).toEqual([
      expect.objectContaining({ target: "corp", result: "refreshed" }),
    ]);
    for (const secret of [
      auth.tokens?.access_token,
      auth.tokens?.refresh_token,
      cache.refreshToken,
      cache.clientSecret,
    ]) {
      expect(json.stdout).not.toContain(secret ?? "none");
    }
    expect(await kavilo.stop("SIGTERM")).toBe(0);
    // After the stop, status says the last start stopped and shows no next tick.
    const after = await runCli(["status"], {
      env: llmEnv(home, llmUrl, { CODEX_HOME: codexHome, AWS_CONFIG_FILE: awsConfig }),
    });
    expect(after.stdout).toMatch(/^refreshers +as of .*, stopped\)$/m);
    expect(after.stdout).not.toMatch(/next 20/);
  }, 30_000);

  it("two kavilo start in two profiles sharing one CODEX_HOME rotate exactly once", async () => {
    const llmUrl = await fakes();
    const shared = join(tempHome("kavilo-codex-shared-"), "codex");
    const login = await openai.mint({ ttlS: 600 });
    const authPath = await writeCodexAuthFile(shared, login);
    openai.setDelay(300); // both are inside the start-up tick together
    const env = (h: string) =>
      llmEnv(h, llmUrl, {
        CODEX_HOME: shared,
        CODEX_REFRESH_TOKEN_URL_OVERRIDE: openai.tokenUrl,
        KAVILO_AWS_REFRESH_DISABLED: "1",
      });
    const homes = [tempHome("kavilo-p1-"), tempHome("kavilo-p2-")];
    for (const h of homes) writeConfig(h, {});
    const [a, b] = await Promise.all(homes.map((home) => startKavilo({ home, env })));
    expect(openai.stats.refreshes).toBe(1);
    expect(openai.stats.reused).toBe(0);
    expect(openai.uses.get(login.refresh_token)).toBe(1);
    const both = `${a?.stderr()}\n${b?.stderr()}`;
    expect(both.match(/Refreshed codex /g)).toHaveLength(1);
    expect(both.match(/codex .*: adopted the token another process rotated/g)).toHaveLength(1);
    expect(readJson(authPath).tokens?.refresh_token).not.toBe(login.refresh_token);
    expect(await a?.stop()).toBe(0);
    expect(await b?.stop()).toBe(0);
  }, 30_000);
});
