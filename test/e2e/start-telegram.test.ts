import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeLlm,
  type FakeStep,
  lastUserText,
  type RecordedRequest,
  startFakeOpenAI,
} from "../fakes/openai-server.js";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram-server.js";
import { killAll, llmEnv, type RunningKavilo, startKavilo } from "./start-harness.js";

const ALICE = 1001;
const STRANGER = 2002;
const GROUP = -500;

/** The text of the last user message of a chat-completions request. */

const LONG = Array.from(
  { length: 12 },
  (_, i) => `Paragraph ${i + 1}: ${"lorem ipsum ".repeat(60).trim()}`,
).join("\n\n");

function respond(req: RecordedRequest): FakeStep {
  const text = lastUserText(req);
  if (text.includes("write a long answer")) return { text: LONG };
  if (text.includes("think forever")) return { fault: "stall" };
  return { text: `echo: ${text}` };
}

let llm: FakeLlm;
let tg: FakeTelegram;
let kavilo: RunningKavilo;

beforeAll(async () => {
  llm = await startFakeOpenAI({ respond });
  tg = await startFakeTelegram();
  kavilo = await startKavilo({
    config: {
      channels: {
        telegram: { enabled: true, token: tg.token, allowFrom: [String(ALICE)], apiRoot: tg.apiRoot },
      },
    },
    env: (home) => llmEnv(home, llm.url),
    // --debug logs message text, so the token test below has something to catch.
    args: ["--debug"],
    ready: /telegram: connected as @kavilo_bot/,
  });
});

afterAll(async () => {
  killAll();
  await tg?.close();
  await llm?.close();
});

const sentTo = (chat: number) => tg.sent().filter((p) => Number(p.chat_id) === chat);
const textsTo = (chat: number) => sentTo(chat).map((p) => String(p.text));

/** Inodes of the TCP sockets in LISTEN state on this machine (Linux /proc). */
function listeningInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === "0A" && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

describe("kavilo start with Telegram", () => {
  it("opens no inbound port", async () => {
    const pid = kavilo.child.pid!;
    const sockets = readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return "";
        }
      })
      .flatMap((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1] ?? []);
    expect(sockets.length).toBeGreaterThan(0); // it does talk to the fake Bot API
    const listening = listeningInodes();
    expect(sockets.filter((inode) => listening.has(inode))).toEqual([]);
  });

  it("answers a DM in the same chat, as a reply, with a typing indicator", async () => {
    const id = tg.sendText({ chatId: ALICE, from: ALICE, text: "hello there" });
    await tg.waitFor(() => textsTo(ALICE).some((t) => t.includes("echo: hello there")));
    const reply = sentTo(ALICE).find((p) => String(p.text).includes("echo: hello there"));
    expect(JSON.stringify(reply?.reply_parameters)).toContain(String(id));
    expect(tg.calls.some((c) => c.method === "sendChatAction" && Number(c.params.chat_id) === ALICE)).toBe(
      true,
    );
  });

  it("gives an unauthorized sender no reply and no model call", async () => {
    const before = llm.requests.length;
    tg.sendText({ chatId: STRANGER, from: STRANGER, text: "let me in" });
    tg.sendText({ chatId: ALICE, from: ALICE, text: "after the stranger" });
    await tg.waitFor(() => textsTo(ALICE).some((t) => t.includes("after the stranger")));
    expect(sentTo(STRANGER)).toEqual([]);
    expect(llm.requests.slice(before).map(lastUserText)).toEqual(["after the stranger"]);
  });

  it("ignores a group message without a mention and answers one with it", async () => {
    const before = llm.requests.length;
    tg.sendText({ chatId: GROUP, chatType: "group", from: ALICE, text: "chatting among humans" });
    tg.sendText({ chatId: GROUP, chatType: "group", from: ALICE, text: "@kavilo_bot are you there" });
    await tg.waitFor(() => textsTo(GROUP).some((t) => t.includes("are you there")));
    expect(textsTo(GROUP)).toHaveLength(1);
    expect(llm.requests.slice(before).map(lastUserText)).toEqual(["are you there"]);
  });

  it("splits a long reply into ordered messages under Telegram's limit", async () => {
    const start = sentTo(ALICE).length;
    tg.sendText({ chatId: ALICE, from: ALICE, text: "write a long answer" });
    await tg.waitFor(() =>
      textsTo(ALICE)
        .slice(start)
        .some((t) => t.includes("Paragraph 12:")),
    );
    const parts = textsTo(ALICE).slice(start);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    const order = parts
      .join("\n")
      .match(/Paragraph \d+/g)
      ?.map((s) => Number(s.split(" ")[1]));
    expect(order).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it("downloads a photo and passes it to the model as an image part", async () => {
    const data = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const before = llm.requests.length;
    tg.sendPhoto({ chatId: ALICE, from: ALICE, caption: "what is in this photo", data });
    await tg.waitFor(() => textsTo(ALICE).some((t) => t.includes("what is in this photo")));
    const req = llm.requests.slice(before).find((r) => lastUserText(r).includes("what is in this photo"));
    const body = JSON.stringify(req?.body);
    expect(body).toContain(`data:image/jpeg;base64,${Buffer.from(data).toString("base64")}`);
    expect(body).toContain('"type":"image_url"');
  });

  it("delivers a reply whose first send died on the network", async () => {
    tg.dropRequests("sendMessage", 1);
    tg.sendText({ chatId: ALICE, from: ALICE, text: "survive the blip" });
    const delivered = () =>
      tg.calls.some(
        (c) =>
          c.method === "sendMessage" && c.result && String(c.params.text).includes("echo: survive the blip"),
      );
    await tg.waitFor(delivered, 10_000);
    expect(textsTo(ALICE).filter((t) => t.includes("echo: survive the blip"))).toHaveLength(2);
  });

  it("sends a photo to the model in its own turn only; the next turn replays a note", async () => {
    const chat = 1_003; // its own session
    tg.sendPhoto({ chatId: chat, from: ALICE, caption: "remember this picture" });
    await tg.waitFor(() => textsTo(chat).some((t) => t.includes("remember this picture")));
    tg.sendText({ chatId: chat, from: ALICE, text: "what did I send" });
    await tg.waitFor(() => textsTo(chat).some((t) => t.includes("echo: what did I send")));
    const first = llm.requests.find((r) => lastUserText(r).includes("remember this picture"));
    const second = llm.requests.find((r) => lastUserText(r) === "what did I send");
    expect(JSON.stringify(first?.body)).toContain('"type":"image_url"');
    const body = JSON.stringify(second?.body);
    expect(body).not.toContain("image_url");
    expect(body).toMatch(/\[image: [^\]]*media\/telegram-[^\]]*photo\.jpg \(image\/jpeg\), sent earlier\]/);
  });

  it("tells the agent about a file over 20 MB it did not download, even without a caption", async () => {
    const chat = 1_004;
    const getFiles = () => tg.calls.filter((c) => c.method === "getFile").length;
    const before = getFiles();
    tg.sendDocument({
      chatId: chat,
      from: ALICE,
      fileName: "movie.mp4",
      mimeType: "video/mp4",
      reportedSize: 25 * 1024 * 1024,
    });
    await tg.waitFor(() => textsTo(chat).some((t) => t.includes("was not downloaded")));
    expect(textsTo(chat).join("\n")).toContain(
      "movie.mp4 (25 MB) was not downloaded: larger than the 20 MB limit",
    );
    expect(getFiles()).toBe(before);
  });

  it("/stop aborts a running turn, the session goes on, and /new starts fresh", async () => {
    tg.sendText({ chatId: ALICE, from: ALICE, text: "think forever please" });
    await tg.waitFor(() => llm.requests.some((r) => lastUserText(r).includes("think forever")));
    tg.sendText({ chatId: ALICE, from: ALICE, text: "/stop" });
    await tg.waitFor(() => textsTo(ALICE).includes("Stopped."));
    tg.sendText({ chatId: ALICE, from: ALICE, text: "still with me" });
    await tg.waitFor(() => textsTo(ALICE).some((t) => t.includes("echo: still with me")));
    // The aborted turn's question stays in the session, so the next request carries it.
    const next = llm.requests.find((r) => lastUserText(r) === "still with me");
    expect(JSON.stringify(next?.body)).toContain("think forever please");

    tg.sendText({ chatId: ALICE, from: ALICE, text: "/new" });
    await tg.waitFor(() => textsTo(ALICE).includes("Started a new conversation."));
    tg.sendText({ chatId: ALICE, from: ALICE, text: "fresh start" });
    await tg.waitFor(() => textsTo(ALICE).some((t) => t.includes("echo: fresh start")));
    const fresh = llm.requests.find((r) => lastUserText(r) === "fresh start");
    expect(JSON.stringify(fresh?.body)).not.toContain("hello there");
    const archive = join(kavilo.kaviloHome, "workspace", "sessions", "archive");
    expect(existsSync(archive) && readdirSync(archive).length).toBeGreaterThan(0);
  });

  it("writes JSON lines to logs/kavilo.log without the bot token", async () => {
    tg.sendText({ chatId: ALICE, from: ALICE, text: `my token is ${tg.token} keep it` });
    await tg.waitFor(() => textsTo(ALICE).some((t) => t.includes("keep it")));
    const log = readFileSync(join(kavilo.kaviloHome, "logs", "kavilo.log"), "utf8");
    const lines = log
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(lines.some((l) => l.msg.includes("telegram: connected"))).toBe(true);
    expect(lines.some((l) => l.msg.includes("my token is [REDACTED] keep it"))).toBe(true);
    expect(log).not.toContain(tg.token);
    expect(kavilo.stderr()).not.toContain(tg.token);
  });
});
