import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { sessionFileName } from "../../src/core/session/session-store.js";
import { type FakeLlm, type FakeStep, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { openaiEnv, runCli, tempHome } from "../helpers/cli.js";
import { killAll, llmEnv, startKavilo } from "./start-harness.js";

const PORTAL = `<!DOCTYPE html><html><head><title>Hotel WiFi Login</title></head><body>${"<p>Accept the terms</p>".repeat(300)}</body></html>`;
const PROXY_502 = `<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>`;

function respond(text: string): FakeStep {
  if (text.includes("portal")) return { fault: { status: 200, contentType: "text/html", body: PORTAL } };
  if (text.includes("empty json")) return { fault: { status: 200, body: "{}" } };
  if (text.includes("proxy")) return { fault: { status: 502, contentType: "text/html", body: PROXY_502 } };
  if (text.includes("cut"))
    return { text: ["Half ", "of ", "the ", "answer ", "and ", "then"], fault: "no-finish" };
  return { text: `echo: ${text}` };
}

let fakes: FakeLlm[] = [];
let tg: FakeTelegram | undefined;
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});
afterAll(async () => {
  killAll();
  await tg?.close();
});

async function llm(): Promise<FakeLlm> {
  const f = await startFakeOpenAI({ respond: (req) => respond(lastUserText(req)) });
  fakes.push(f);
  return f;
}

const oneShotEnv = (home: string, url: string) =>
  openaiEnv(home, url, {
    KAVILO_RETRY_BASE_MS: "10",
  });

describe("kavilo agent -m: answers that are not answers", () => {
  it.each([
    ["portal", "openai answered with text/html instead of an event stream"],
    ["empty json", "openai answered with application/json instead of an event stream"],
    ["proxy", "openai returned 502: 502 Bad Gateway (an HTML page)"],
  ])("%s: one line naming what came back, exit 1", async (what, line) => {
    const f = await llm();
    const home = tempHome();
    const r = await runCli(["agent", "-m", `the ${what} case`], { env: oneShotEnv(home, f.url) });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    // A 502 is retried first: each retry says so in its own line ("openai: 502, retrying in …").
    const errors = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("kavilo:") && !l.includes(", retrying in "));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(line);
    expect(r.stderr).not.toMatch(/<p>|<html|nginx|Could not parse/);
  });

  it("a stream cut before its finish reason: exit 1, partial text kept in the session marked incomplete", async () => {
    const f = await llm();
    const home = tempHome();
    const r = await runCli(["agent", "-m", "cut me off"], { env: oneShotEnv(home, f.url) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("openai's stream ended before the answer was complete (no finish reason)");
    const dir = join(home, ".kavilo", "workspace", "sessions");
    const text = readFileSync(join(dir, readdirSync(dir).find((n) => n.endsWith(".jsonl"))!), "utf8");
    const last = JSON.parse(text.trim().split("\n").at(-1)!) as {
      message: { role: string; content: string };
    };
    expect(last.message.role).toBe("assistant");
    expect(last.message.content).toMatch(/^Half of .*\n\[incomplete: the answer was cut off\]$/);
  });

  it("a session path that is a folder: one line naming it, and no 'kavilo status' hint", async () => {
    const f = await llm();
    const home = tempHome();
    const file = join(home, ".kavilo", "workspace", "sessions", sessionFileName("cli:default"));
    mkdirSync(file, { recursive: true });
    const r = await runCli(["agent", "-m", "hello"], { env: oneShotEnv(home, f.url) });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `kavilo: the session file ${file} is a folder; move it away so the session can start fresh`,
    );
  });

  it("a bad time zone is never followed by the provider hint", async () => {
    const f = await llm();
    const home = tempHome();
    mkdirSync(join(home, ".kavilo"), { recursive: true });
    const config = { agents: { defaults: { timezone: "Mars/Olympus_Mons" } } };
    await import("node:fs").then((fs) =>
      fs.writeFileSync(join(home, ".kavilo", "config.json"), JSON.stringify(config)),
    );
    const r = await runCli(["agent", "-m", "hello"], { env: oneShotEnv(home, f.url) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Mars\/Olympus_Mons/);
    expect(r.stderr).not.toContain("kavilo status");
  });
});

describe("kavilo start: a provider answer that is not an answer", () => {
  it("the chat user gets the usual 'Sorry, that failed' in one line, never the page", async () => {
    const f = await llm();
    tg = await startFakeTelegram();
    const kavilo = await startKavilo({
      config: {
        channels: { telegram: { enabled: true, token: tg.token, allowFrom: ["1001"], apiRoot: tg.apiRoot } },
      },
      env: (h) => llmEnv(h, f.url, { KAVILO_RETRY_BASE_MS: "10" }),
      ready: /telegram: connected as @kavilo_bot/,
    });
    const texts = () => tg!.sent().map((p) => String(p.text));
    tg.sendText({ chatId: 1001, from: 1001, text: "behind a portal" });
    await tg.waitFor(() => texts().some((t) => t.startsWith("Sorry, that failed")), 15_000);
    tg.sendText({ chatId: 1001, from: 1001, text: "behind a proxy" });
    await tg.waitFor(() => texts().filter((t) => t.startsWith("Sorry, that failed")).length === 2, 15_000);
    const sorry = texts().filter((t) => t.startsWith("Sorry, that failed"));
    expect(sorry[0]).toBe("Sorry, that failed: openai answered with text/html instead of an event stream");
    expect(sorry[1]).toBe("Sorry, that failed: openai returned 502: 502 Bad Gateway (an HTML page)");
    await kavilo.waitForStderr(/turn failed/, 5000);
    expect(kavilo.stderr()).not.toMatch(/<p>|<html|nginx/);
    await kavilo.stop("SIGTERM");
  }, 60_000);
});
