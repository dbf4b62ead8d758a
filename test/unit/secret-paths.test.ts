import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makePaths } from "../../src/core/base/paths.js";
import { parseConfig } from "../../src/core/config/parse.js";
import {
  configSecretValues,
  isSecretEnvName,
  maskConfigSecrets,
  profileSecretValues,
} from "../../src/core/config/secret-paths.js";
import { SessionStore } from "../../src/core/session/session-store.js";
import { scrubEnv } from "../../src/core/tools/scrub-env.js";
import { knownSecrets } from "../../src/mcp/servers/self/known-secrets.js";
import { runSelfTool } from "../../src/mcp/servers/self/result.js";
import type { SelfDeps } from "../../src/mcp/servers/self/self-tool.js";
import { createSessionTools } from "../../src/mcp/servers/self/session-tools.js";
import { tempHome } from "../helpers/cli.js";

// Plain strings: no token shape, so only the secret paths can find them.
const S = {
  extraHeader: "plainExtraHeaderValue01",
  mcpHeader: "plainMcpHeaderValue02",
  urlPath: "pathSegment0123456789xyz",
  urlQuery: "plainQueryValue03",
  env: "plainMcpEnvValue04",
  argNext: "plainArgAfterFlag05",
  argInline: "plainArgInline06",
  apiKey: "plainProviderKey07",
  envVar: "plainEnvVariable08",
} as const;

const RAW = {
  providers: { custom: { apiKey: S.apiKey, extraHeaders: { "X-Team": S.extraHeader } } },
  tools: {
    mcpServers: {
      local: {
        command: "srv",
        args: ["--verbose", "--api-key", S.argNext, `--client-secret=${S.argInline}`, "plain-arg"],
        env: { SERVICE_URL_PART: S.env },
      },
      zap: { url: `https://z.example/api/s/${S.urlPath}/mcp?key=${S.urlQuery}&mode=readonly` },
      docs: { url: "https://d.example/mcp", headers: { "X-Custom": S.mcpHeader } },
    },
  },
};

const configSecrets = Object.values(S).filter((s) => s !== S.envVar);

describe("one list of secret paths", () => {
  const { config } = parseConfig(RAW, "/x/config.json");

  it("finds every configured secret, and nothing ordinary", () => {
    const found = configSecretValues(config);
    for (const s of configSecrets) expect(found).toContain(s);
    for (const s of ["plain-arg", "--verbose", "readonly", "srv", "https://d.example/mcp"]) {
      expect(found).not.toContain(s);
    }
  });

  it("masks, in a copy, exactly what it finds; keeps the rest readable", () => {
    const masked = JSON.stringify(maskConfigSecrets(config));
    for (const s of configSecretValues(config)) expect(masked).not.toContain(s);
    expect(masked).toContain('"X-Team":"[REDACTED]"');
    expect(masked).toContain('"SERVICE_URL_PART":"[REDACTED]"');
    expect(masked).toContain('"--api-key","[REDACTED]","--client-secret=[REDACTED]","plain-arg"');
    expect(masked).toContain("https://z.example/api/s/[REDACTED]/mcp?key=[REDACTED]&mode=readonly");
    expect(masked).toContain('"url":"https://d.example/mcp"');
    expect(JSON.stringify(config)).toContain(S.apiKey);
  });

  it("names the credential env variables the issue lists, and not ordinary ones", () => {
    for (const name of [
      "OPENAI_API_KEY",
      "GH_TOKEN",
      "GITHUB_TOKEN",
      "FOO_SECRET",
      "FOO_SECRET_KEY",
      "DB_PASSWORD",
      "GOOGLE_APPLICATION_CREDENTIALS",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "SLACK_BOT_TOKEN",
      "slack_app_token",
    ]) {
      expect(isSecretEnvName(name), name).toBe(true);
    }
    for (const name of ["PATH", "HOME", "KAVILO_HOME", "AWS_REGION", "LANG", "TOKENIZERS_PARALLELISM"]) {
      expect(isSecretEnvName(name), name).toBe(false);
    }
  });

  it("scrubEnv drops those and KAVILO_*, keeps scrubEnvKeep names", () => {
    const env = {
      PATH: "/bin",
      GITHUB_TOKEN: "g",
      AWS_SECRET_ACCESS_KEY: "a",
      AWS_SESSION_TOKEN: "s",
      SLACK_BOT_TOKEN: "b",
      DB_PASSWORD: "p",
      X_SECRET_VALUE: "x",
      GCP_CREDENTIALS: "c",
      KAVILO_HOME: "/k",
      // Names the globs miss but whose values are masked: scrubbed as well.
      API_KEY: "k",
      TOKEN: "t",
      PASSWORD: "pw",
      DB_PASSWD: "d",
      OPENAI_APIKEY: "o",
    };
    expect(scrubEnv(env)).toEqual({ PATH: "/bin" });
    expect(scrubEnv({ MAX_TOKENS: "5", TOKENIZERS_PARALLELISM: "false", HOME: "/h" })).toEqual({
      MAX_TOKENS: "5",
      TOKENIZERS_PARALLELISM: "false",
      HOME: "/h",
    });
    expect(scrubEnv(env, { keep: ["github_token"] })).toEqual({ PATH: "/bin", GITHUB_TOKEN: "g" });
  });
});

describe("the self server's read_session", () => {
  it("masks every configured secret and every secret-named env variable's value in session text", async () => {
    const home = join(tempHome("kavilo-read-session-"), ".kavilo");
    const paths = makePaths(home);
    const { config } = parseConfig(RAW, paths.config);
    const env = { MY_SERVICE_PASSWORD: S.envVar, HOME: "/home/someone-ordinary" };
    const deps: SelfDeps = {
      basePaths: paths,
      config: () => ({ config, paths }),
      status: async () => ({}),
      env,
    };
    const pasted = `here you go: ${Object.values(S).join(" ")} and /home/someone-ordinary`;
    await new SessionStore(paths.sessions).append("telegram:1", [
      { role: "user", content: pasted },
      { role: "assistant", content: `I saw ${S.envVar} and ${S.urlQuery}` },
    ]);
    const read = createSessionTools(deps).find((t) => t.name === "read_session")!;
    const out = await runSelfTool(read, { key: "telegram:1" }, deps);
    expect(out.isError).toBe(false);
    for (const s of Object.values(S)) expect(out.text).not.toContain(s);
    expect(out.text).toContain("/home/someone-ordinary");
    expect(out.text).toContain("I saw [REDACTED] and [REDACTED]");
    expect(await knownSecrets(deps)).toEqual(expect.arrayContaining(profileSecretValues(config, env)));
  });
});

describe("MCP URL credentials", () => {
  const urls = {
    userinfo: "https://someone:hunter2pw@u.example/mcp",
    userOnly: "https://tok3nAsUser@u.example/mcp",
    shortKey: "https://k.example/mcp?key=abc1&sig=zz9&mode=readonly",
  };
  const { config } = parseConfig(
    { tools: { mcpServers: Object.fromEntries(Object.entries(urls).map(([n, url]) => [n, { url }])) } },
    "/x/config.json",
  );

  it("masks the password and a bare user name of the URL, and ?key= / ?sig= values however short", () => {
    const masked = maskConfigSecrets(config).tools.mcpServers;
    const url = (name: string) => (masked[name] as { url?: string } | undefined)?.url;
    expect(url("userinfo")).toBe("https://someone:[REDACTED]@u.example/mcp");
    expect(url("userOnly")).toBe("https://[REDACTED]@u.example/mcp");
    expect(url("shortKey")).toBe("https://k.example/mcp?key=[REDACTED]&sig=[REDACTED]&mode=readonly");
    const found = configSecretValues(config);
    for (const s of ["hunter2pw", "tok3nAsUser", "abc1", "zz9"]) expect(found).toContain(s);
    for (const s of ["someone", "readonly"]) expect(found).not.toContain(s);
  });

  it("a URL among an MCP server's args is read like its url (npx mcp-remote https://...)", () => {
    const args = ["-y", "mcp-remote", "https://r.example/sse?key=remoteKey9&mode=ro"];
    const { config: c } = parseConfig({ tools: { mcpServers: { r: { command: "npx", args } } } }, "/x");
    const masked = maskConfigSecrets(c).tools.mcpServers.r as { args?: string[] };
    expect(masked.args).toEqual(["-y", "mcp-remote", "https://r.example/sse?key=[REDACTED]&mode=ro"]);
    expect(configSecretValues(c)).toContain("remoteKey9");
  });

  it("a provider's apiBase: its query keys and password, not its path (deployment names)", () => {
    const apiBase = "https://u:gwPass1@gw.example/deployments/gpt4o-2024-08-06?key=gwKey1&region=eu";
    const { config: c } = parseConfig({ providers: { custom: { apiBase } } }, "/x/config.json");
    expect(maskConfigSecrets(c).providers.custom?.apiBase).toBe(
      "https://u:[REDACTED]@gw.example/deployments/gpt4o-2024-08-06?key=[REDACTED]&region=eu",
    );
    expect(configSecretValues(c)).not.toContain("gpt4o-2024-08-06");
    expect(configSecretValues(c)).toContain("gwKey1");
  });
});
