import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeMcpTokenFile } from "../../src/auth/mcp/token-file.js";
import { makePaths, type Paths } from "../../src/core/base/paths.js";
import { createCronStore } from "../../src/core/cron/store.js";
import { SessionStore } from "../../src/core/session/session-store.js";
import { UsageLog } from "../../src/core/usage.js";

/**
 * Every secret the fixture home holds. Some are token-shaped (the sanitizer's patterns catch
 * them anywhere), some are plain strings that only stay hidden if no tool ever returns them.
 */
export const SECRETS = {
  openaiKey: "sk-proj-OPENAIfixtureSECRET0123456789",
  deepseekKey: "plain-deepseek-fixture-secret-7781",
  braveKey: "braveSEARCHfixtureSecret31",
  telegramToken: "123456789:AAHtelegramFIXTUREsecretTOKENvalue0123456",
  slackBot: "xoxb-1111-2222-slackBOTfixtureSecret",
  slackApp: "xapp-1-A111-333-slackAPPfixtureSecret",
  headerBearer: "hdrBEARERfixtureSecret55",
  urlQuery: "urlQUERYfixtureSecret99",
  envApiKey: "envAPIKEYfixtureSecret42",
  argToken: "argTOKENfixtureSecret77",
  oauthAccess: "oauthACCESSfixtureSecret11",
  oauthRefresh: "oauthREFRESHfixtureSecret22",
  oauthClientSecret: "oauthCLIENTfixtureSecret33",
  sessionPasted: "sk-live-SESSIONpastedSecret0001",
  toolArg: "toolARGfixtureSecret64",
  envOpenai: "sk-envOPENAIfixtureSecret000111",
} as const;

export const SESSION_KEY = "telegram:4242";
export const SESSION_MESSAGES = 7;
/** When the fixture's usage records and expiries are dated; the in-process tests use it as "now". */
export const FIXTURE_NOW = new Date("2026-03-10T12:00:00Z");
export const TOKEN_EXPIRES_AT = "2099-01-01T00:00:00.000Z";

export interface FixtureOptions {
  /** URL of an OAuth-protected MCP endpoint for the "ed" server (login tests). */
  oauthMcpUrl?: string;
}

/** Writes a profile home full of state and secrets at `<userHome>/.kavilo`; returns its paths. */
export async function writeFixtureHome(userHome: string, opts: FixtureOptions = {}): Promise<Paths> {
  const home = join(userHome, ".kavilo");
  const paths = makePaths(home);
  mkdirSync(paths.workspace, { recursive: true });
  const config = {
    agents: { defaults: { model: "gpt-4o-mini", provider: "openai" } },
    providers: { openai: { apiKey: SECRETS.openaiKey }, deepseek: { apiKey: SECRETS.deepseekKey } },
    channels: {
      telegram: { enabled: true, token: SECRETS.telegramToken, allowFrom: ["4242"] },
      slack: { enabled: true, botToken: SECRETS.slackBot, appToken: SECRETS.slackApp },
    },
    tools: {
      web: { search: { apiKey: SECRETS.braveKey } },
      mcpServers: {
        docs: {
          type: "http",
          url: `https://docs.example.invalid/mcp?api_key=${SECRETS.urlQuery}`,
          headers: { Authorization: `Bearer ${SECRETS.headerBearer}` },
          auth: { provider: "oauth" },
          description: "Company docs",
        },
        local: {
          command: "local-mcp",
          args: ["--token", SECRETS.argToken],
          env: { GITHUB_API_KEY: SECRETS.envApiKey, LOG_LEVEL: "info" },
          enabledTools: ["search"],
        },
        ...(opts.oauthMcpUrl
          ? { ed: { type: "http", url: opts.oauthMcpUrl, auth: { provider: "oauth" } } }
          : {}),
      },
    },
  };
  writeFileSync(paths.config, JSON.stringify(config, null, 2), { mode: 0o600 });

  await writeMcpTokenFile(paths, "docs", {
    serverUrl: "https://docs.example.invalid/mcp",
    clientInformation: { client_id: "docs-client", client_secret: SECRETS.oauthClientSecret },
    tokens: { access_token: SECRETS.oauthAccess, refresh_token: SECRETS.oauthRefresh, token_type: "Bearer" },
    expiresAt: TOKEN_EXPIRES_AT,
    savedAt: FIXTURE_NOW.toISOString(),
  });

  const sessions = new SessionStore(paths.sessions);
  await sessions.append(SESSION_KEY, [
    { role: "user", content: `my openai key is ${SECRETS.sessionPasted}, keep it safe` },
    {
      role: "assistant",
      content: "",
      toolCalls: [{ id: "c1", name: "web_search", args: { query: "weather", apiKey: SECRETS.toolArg } }],
    },
    { role: "tool", toolCallId: "c1", toolName: "web_search", content: "sunny" },
    { role: "assistant", content: "It is sunny." },
    { role: "user", content: [{ type: "image", mediaType: "image/png", data: "iVBORw0KGgoAAAANSUhEUg==" }] },
    { role: "assistant", content: "A tiny image." },
    { role: "user", content: "thanks" },
  ]);

  const cron = createCronStore(paths.cronJobs, { now: () => FIXTURE_NOW, newId: () => "job1" });
  await cron.add({
    name: "morning brief",
    schedule: { kind: "cron", expr: "0 8 * * *", tz: "Europe/Berlin" },
    message: "Summarize my day",
    deliver: { channel: "telegram", chatId: "4242" },
    nextRunAt: "2026-03-11T07:00:00.000Z",
  });

  const usage = new UsageLog(paths.usage);
  const at = (iso: string) => new Date(iso);
  const u = (input: number, output: number) => ({ input, output });
  await usage.record({
    provider: "openai",
    model: "gpt-4o-mini",
    session: SESSION_KEY,
    usage: u(100, 10),
    at: at("2026-03-01T09:00:00Z"),
  });
  await usage.record({
    provider: "openai",
    model: "gpt-4o-mini",
    session: SESSION_KEY,
    usage: u(200, 20),
    at: at("2026-03-10T09:00:00Z"),
  });
  await usage.record({
    provider: "anthropic",
    model: "claude-x",
    session: "cli:default",
    usage: u(50, 5),
    at: at("2026-03-10T10:00:00Z"),
  });
  return paths;
}
