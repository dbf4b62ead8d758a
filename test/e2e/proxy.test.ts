import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { playBrowser, startFakeAnthropicOAuth } from "../fakes/anthropic-oauth-server.js";
import { type FakeProxy, startFakeProxy } from "../fakes/http-proxy.js";
import { type McpWeb, startMcpWeb } from "../fakes/mcp-web.js";
import { type FakeLlm, startFakeOpenAI } from "../fakes/openai-server.js";
import { startFakeOpenAiTokenServer } from "../fakes/openai-token-server.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { BIN, cleanEnv, runCli, tempHome } from "../helpers/cli.js";
import { writeCodexAuthFile } from "../helpers/codex-auth.js";
import { slackChannel } from "../helpers/slack-channel.js";
import { killAll, llmEnv, startKavilo, writeConfig } from "./start-harness.js";

// HTTPS_PROXY / HTTP_PROXY / NO_PROXY: every kind of outbound request goes through a local proxy.
let proxy: FakeProxy;
let page: Server;
let pagePort: number;
let mcp: McpWeb;

const portOf = (url: string) => new URL(url).port;

beforeAll(async () => {
  proxy = await startFakeProxy();
  mcp = await startMcpWeb();
  // A web page for web_fetch, and Brave Search's API path for web_search.
  page = createServer((req, res) => {
    if (req.url?.startsWith("/res/v1/web/search")) {
      const results = [{ title: "A result", url: "https://example.com/", description: "found" }];
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ web: { results } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end("page body");
  });
  await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
  pagePort = (page.address() as AddressInfo).port;
});
afterAll(async () => {
  await proxy?.close();
  await mcp?.close();
  await new Promise((resolve) => page?.close(resolve));
});
afterEach(() => killAll());

const proxyVars = (p: FakeProxy) => ({ HTTPS_PROXY: p.url, HTTP_PROXY: p.url });

/** A turn whose first attempt stalls (so the retry takes a fresh connection), then web_fetch and web_search. */
async function oneShot(
  extra: Record<string, string>,
): Promise<{ llm: FakeLlm; stdout: string; code: number | null }> {
  const llm = await startFakeOpenAI({
    respond: (_req, i) =>
      i === 0
        ? { fault: "stall" }
        : i === 1
          ? {
              toolCalls: [
                { id: "c1", name: "web_fetch", args: { url: `http://127.0.0.1:${pagePort}/doc` } },
                { id: "c2", name: "web_search", args: { query: "kavilo" } },
              ],
            }
          : { text: "fetched it" },
  });
  try {
    const home = tempHome();
    writeConfig(home, {
      tools: {
        web: {
          fetch: { allowPrivate: true },
          search: { apiKey: "brave-test-key", apiBase: `http://127.0.0.1:${pagePort}` },
        },
      },
    });
    const env = cleanEnv(home, {
      KAVILO_PROVIDER: "openai",
      KAVILO_API_BASE: llm.url,
      KAVILO_API_KEY: "test-key-not-secret",
      KAVILO_MODEL: "gpt-test",
      KAVILO_STREAM_TIMEOUT_S: "1",
      KAVILO_CHAT_TIMEOUT_S: "1",
      KAVILO_RETRY_BASE_MS: "50",
      ...extra,
    });
    const r = await runCli(["agent", "-m", "fetch the doc", "-q"], { env, timeoutMs: 30_000 });
    return { llm, stdout: r.stdout, code: r.code };
  } finally {
    await llm.close();
  }
}

describe("behind HTTPS_PROXY", () => {
  it("provider calls, the retry on a fresh connection, web_fetch and web_search go through the proxy", async () => {
    const before = proxy.log.length;
    const { llm, stdout, code } = await oneShot(proxyVars(proxy));
    expect(code).toBe(0);
    expect(stdout).toContain("fetched it");
    expect(llm.requests).toHaveLength(3);
    const seen = proxy.log.slice(before);
    const llmPort = portOf(llm.url);
    // the stalled attempt's tunnel, the fresh connection of its retry, and the call after the tool
    // (the stalled tunnel was torn down, so it opens one more)
    expect(seen.filter((l) => l.endsWith(`:${llmPort}`)).length).toBeGreaterThanOrEqual(3);
    // web_fetch and web_search: two requests to the page server, both through the proxy
    expect(seen.filter((l) => l.endsWith(`:${pagePort}`)).length).toBeGreaterThanOrEqual(2);
    const toolResults = (
      (llm.requests[2]?.body ?? { messages: [] }) as { messages: { role: string; content: string }[] }
    ).messages
      .filter((m) => m.role === "tool")
      .map((m) => m.content);
    expect(toolResults.join("\n")).toContain("page body");
    expect(toolResults.join("\n")).toContain("A result");
  }, 40_000);

  it("NO_PROXY sends matching hosts direct", async () => {
    const before = proxy.log.length;
    const { code } = await oneShot({ ...proxyVars(proxy), NO_PROXY: "127.0.0.1" });
    expect(code).toBe(0);
    expect(proxy.log.slice(before)).toEqual([]);
  }, 40_000);

  it("lowercase https_proxy works too, and MCP over HTTP goes through it", async () => {
    const home = tempHome();
    writeConfig(home, { tools: { mcpServers: { web: { url: `${mcp.url}/mcp` } } } });
    const before = proxy.countFor(portOf(mcp.url));
    const r = await runCli(["status", "--json"], {
      env: cleanEnv(home, { https_proxy: proxy.url, http_proxy: proxy.url }),
    });
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as { mcpServers: { name: string; tools?: number; error?: string }[] };
    expect(status.mcpServers[0]?.error).toBeUndefined();
    expect(proxy.countFor(portOf(mcp.url))).toBeGreaterThan(before);
  });

  it("kavilo start: Telegram and Slack (API calls and the Socket Mode WebSocket) go through it", async () => {
    const llm = await startFakeOpenAI({ respond: () => ({ text: "hi" }) });
    const tg: FakeTelegram = await startFakeTelegram();
    const slack: FakeSlack = await startFakeSlack();
    try {
      const kavilo = await startKavilo({
        config: {
          channels: {
            telegram: { enabled: true, token: tg.token, allowFrom: ["1"], apiRoot: tg.apiRoot },
            slack: slackChannel(slack, ["U_ALICE"]),
          },
        },
        env: (home) =>
          llmEnv(home, llm.url, {
            ...proxyVars(proxy),
            NO_PROXY: `127.0.0.1:${portOf(llm.url)}`,
            NODE_OPTIONS: `--import ${new URL("../helpers/node-without-proxy-env.mjs", import.meta.url).pathname}`,
          }),
        ready: /running: /,
      });
      await kavilo.waitForStderr(/telegram: connected as/);
      await kavilo.waitForStderr(/slack: connected as/);
      // a photo in (getFile and the file download) and the reply out, all through the proxy
      tg.sendPhoto({ chatId: 1, from: 1, caption: "look" });
      await tg.waitFor(() => tg.sent().length > 0, 15_000);
      // getMe, deleteWebhook, getUpdates, getFile, the download, sendMessage: even without Node's
      // proxyEnv agents (this run's preload takes them away, as Node before 24.5 has none)
      expect(proxy.countFor(portOf(tg.apiRoot))).toBeGreaterThanOrEqual(5);
      expect(tg.calls.map((c) => c.method)).toEqual(expect.arrayContaining(["getFile", "sendMessage"]));
      // apps.connections.open and auth.test over HTTP, then the WebSocket, all on the fake's port
      expect(proxy.countFor(portOf(slack.apiUrl))).toBeGreaterThanOrEqual(2);
      expect(proxy.log.some((l) => l.endsWith(`:${portOf(llm.url)}`))).toBe(false);
      await kavilo.stop();
    } finally {
      await Promise.all([tg.close(), slack.close(), llm.close()]);
    }
  }, 40_000);

  it("an OAuth token refresh (the Codex login kavilo start keeps alive) goes through it", async () => {
    const llm = await startFakeOpenAI({ respond: () => ({ text: "hi" }) });
    const tokens = await startFakeOpenAiTokenServer();
    try {
      const home = tempHome();
      const codexHome = `${home}/codex-home`;
      await writeCodexAuthFile(codexHome, { ...(await tokens.mint({ ttlS: 600 })), account_id: "acc" });
      const kavilo = await startKavilo({
        home,
        config: {},
        env: (h) =>
          llmEnv(h, llm.url, {
            ...proxyVars(proxy),
            CODEX_HOME: codexHome,
            CODEX_REFRESH_TOKEN_URL_OVERRIDE: tokens.tokenUrl,
          }),
      });
      await kavilo.waitForStderr(/Refreshed codex /);
      expect(tokens.stats.refreshes).toBe(1);
      expect(proxy.countFor(portOf(tokens.tokenUrl))).toBeGreaterThanOrEqual(1);
      await kavilo.stop();
    } finally {
      await Promise.all([tokens.close(), llm.close()]);
    }
  }, 40_000);

  it("an interactive login (auth claude login): the code exchange goes through it", async () => {
    const oauth = await startFakeAnthropicOAuth();
    try {
      const home = tempHome();
      const env = cleanEnv(home, {
        ...proxyVars(proxy),
        KAVILO_ANTHROPIC_OAUTH_CLIENT_ID: oauth.clientId,
        KAVILO_ANTHROPIC_OAUTH_AUTHORIZE_URL: oauth.authorizeUrl,
        KAVILO_ANTHROPIC_OAUTH_TOKEN_URL: oauth.tokenUrl,
        KAVILO_ANTHROPIC_OAUTH_REVOKE_URL: oauth.revokeUrl,
      });
      const before = proxy.countFor(portOf(oauth.tokenUrl));
      // The test plays the browser (direct, as a browser would); kavilo's own requests use the proxy.
      const child = spawn(process.execPath, [BIN, "auth", "claude", "login", "--no-browser"], {
        env,
        cwd: home,
      });
      let stderr = "";
      let browsing: Promise<number> | undefined;
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const url = stderr.split("\n").find((l) => l.startsWith(oauth.authorizeUrl));
        if (url && !browsing && stderr.includes("Waiting for the redirect"))
          browsing = playBrowser(url.trim());
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code, stderr).toBe(0);
      expect(await browsing).toBe(200);
      expect(oauth.stats.codeExchanges).toBe(1);
      expect(proxy.countFor(portOf(oauth.tokenUrl)) - before).toBeGreaterThanOrEqual(1);
    } finally {
      await oauth.close();
    }
  }, 30_000);
});
