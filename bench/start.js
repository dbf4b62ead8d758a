// `kavilo start` benchmarks: idle RSS with both channels connected to the loopback fakes, peak RSS
// while 1000 messages from 100 chats are answered by an instant provider, and how fast the bus
// routes them. Memory rows are MB ÷ their budget in MB. Run `npm run build` first.
// The fakes are TypeScript; Node 24 strips their types on import.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { BIN, benchEnv } from "./lib.js";

const IDLE_S = Number(process.env.BENCH_START_IDLE_S ?? 30);
const MESSAGES = Number(process.env.BENCH_START_MESSAGES ?? 1000);
const CHATS = Number(process.env.BENCH_START_CHATS ?? 100);
const RSS_BUDGET_MB = 100;
const PEAK_BUDGET_MB = 180;
const MS_PER_MESSAGE_BUDGET = 20;

/** An OpenAI chat-completions endpoint that answers at once with the last user message. */
async function instantLlm() {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const parsed = JSON.parse(body || "{}");
      const user = (parsed.messages ?? []).filter((m) => m.role === "user").at(-1);
      const text = `echo ${typeof user?.content === "string" ? user.content : ""}`;
      const chunk = (delta, finish = null) =>
        `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${chunk({ role: "assistant", content: text })}${chunk({}, "stop")}data: [DONE]\n\n`);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Resident memory now, or (`field` VmHWM, Linux only) the most the process has held so far. */
function rssMb(pid, field = "VmRSS") {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
  } catch {
    return (
      Number(spawnSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim()) / 1024
    );
  }
}

async function waitFor(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`bench/start: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function boot(env, config) {
  const dir = join(env.HOME, ".kavilo");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const child = spawn(process.execPath, [BIN, "start"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return { child, stderr: () => err };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(t);
}

/** Resident memory of a bare node process that just waits, for scale. */
async function bareNodeRssMb() {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 500));
  const mb = rssMb(child.pid);
  child.kill("SIGKILL");
  return mb;
}

export async function run() {
  const { startFakeTelegram } = await import("../test/fakes/telegram-server.ts");
  const { startFakeSlack } = await import("../test/fakes/slack-server.ts");
  const llm = await instantLlm();
  const tg = await startFakeTelegram();
  const slack = await startFakeSlack();
  const env = benchEnv({
    KAVILO_PROVIDER: "openai",
    KAVILO_API_BASE: llm.url,
    KAVILO_API_KEY: "bench-key",
    KAVILO_MODEL: "bench-model",
  });
  const rows = [];
  const kavilo = await boot(env, {
    channels: {
      telegram: { enabled: true, token: tg.token, allowFrom: ["*"], apiRoot: tg.apiRoot },
      slack: {
        enabled: true,
        botToken: slack.botToken,
        appToken: slack.appToken,
        allowFrom: ["*"],
        apiUrl: slack.apiUrl,
      },
    },
    runtime: { maxConcurrentSessions: 8 },
  });
  try {
    await waitFor(
      () => /telegram: connected/.test(kavilo.stderr()) && /slack: connected/.test(kavilo.stderr()),
      20_000,
      "both channels",
    );
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const mb = rssMb(kavilo.child.pid);
    const bare = await bareNodeRssMb();
    // Memory, not time: ratio is MB / budget, and the two "ms" columns carry bare node's MB and ours.
    rows.push({
      name: `kavilo start idle RSS after ${IDLE_S} s ÷ ${RSS_BUDGET_MB} MB`,
      budget: 1,
      ratio: mb / RSS_BUDGET_MB,
      detail: `${mb.toFixed(0)} MB; bare node waiting: ${bare.toFixed(0)} MB`,
    });

    // Peak: the kernel's high-water mark where there is one (it sees between-sample spikes), else
    // the highest sample.
    let sampled = mb;
    const sampler = setInterval(() => (sampled = Math.max(sampled, rssMb(kavilo.child.pid))), 20);
    const t0 = performance.now();
    for (let i = 0; i < MESSAGES; i++)
      tg.sendText({ chatId: 9000 + (i % CHATS), from: 9000 + (i % CHATS), text: `m${i}` });
    await waitFor(() => tg.sent().length >= MESSAGES, 300_000, "all replies");
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const peak = Math.max(sampled, rssMb(kavilo.child.pid, "VmHWM") || 0);
    rows.push({
      name: `kavilo start peak RSS, ${MESSAGES} msgs in ${CHATS} chats ÷ ${PEAK_BUDGET_MB} MB`,
      budget: 1,
      ratio: peak / PEAK_BUDGET_MB,
      detail: `${peak.toFixed(0)} MB`,
    });
    const perMessage = ms / MESSAGES;
    rows.push({
      name: `kavilo start routing: ${Math.round((MESSAGES * 1000) / ms)} msg/s (ms/msg vs ${MS_PER_MESSAGE_BUDGET})`,
      budget: 1,
      ratio: perMessage / MS_PER_MESSAGE_BUDGET,
      detail: `${perMessage.toFixed(2)} ms/msg`,
    });
  } finally {
    await stop(kavilo.child);
    await tg.close();
    await slack.close();
    await llm.close();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { report } = await import("./lib.js");
  report(await run());
}
