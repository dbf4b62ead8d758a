import { spawn } from "node:child_process";
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, lastUserText, startFakeOpenAI } from "../fakes/openai-server.js";
import { BIN, openaiEnv, runCli, tempHome } from "../helpers/cli.js";

// `git diff | kavilo agent -m "review this"` and --file, through the built CLI.
let llm: FakeLlm;
beforeAll(async () => {
  llm = await startFakeOpenAI({ respond: () => ({ text: "done" }) });
});
afterAll(async () => llm?.close());

const envFor = (home: string) => openaiEnv(home, llm.url);

type Part = { type: string; text?: string; image_url?: { url: string } };
const lastUserContent = () => {
  const body = llm.requests.at(-1)?.body as { messages: { role: string; content: string | Part[] }[] };
  return body.messages.filter((m) => m.role === "user").at(-1)?.content;
};

const DIFF = "diff --git a/x.ts b/x.ts\n-const a = 1;\n+const a = 2;\n```inner fence```\n";

describe("agent -m with piped stdin and --file", () => {
  it("sends the message, then the piped text as a fenced block", async () => {
    const home = tempHome();
    const r = await runCli(["agent", "-m", "review this"], { env: envFor(home), input: DIFF });
    expect(r.code, r.stderr).toBe(0);
    const text = lastUserText(llm.requests.at(-1)!);
    // a fence longer than the backtick run inside the text, so it cannot be closed early
    expect(text).toBe(`review this\n\n\`\`\`\`\n${DIFF}\`\`\`\``);
  });

  it("-m - still sends stdin alone", async () => {
    const home = tempHome();
    const r = await runCli(["agent", "-m", "-"], { env: envFor(home), input: "just stdin\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(lastUserText(llm.requests.at(-1)!)).toBe("just stdin\n");
  });

  it("sends no block when nothing is piped", async () => {
    const home = tempHome();
    const r = await runCli(["agent", "-m", "plain"], { env: envFor(home), input: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(lastUserText(llm.requests.at(-1)!)).toBe("plain");
  });

  it("attaches text files fenced and images as image input (--file, repeatable)", async () => {
    const home = tempHome();
    writeFileSync(join(home, "notes.md"), "# Notes\nship friday\n");
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    writeFileSync(join(home, "dot.png"), png);
    const r = await runCli(["agent", "-m", "what is here", "--file", "notes.md", "--file", "dot.png"], {
      env: envFor(home),
      input: "",
    });
    expect(r.code, r.stderr).toBe(0);
    const content = lastUserContent() as Part[];
    expect(Array.isArray(content)).toBe(true);
    const text = content
      .filter((p) => p.type === "text")
      .map((p) => p.text)
      .join("\n");
    expect(text).toContain(
      `what is here\n\nnotes.md (${join(home, "notes.md")}):\n\`\`\`\n# Notes\nship friday\n\`\`\``,
    );
    const image = content.find((p) => p.type === "image_url");
    expect(image?.image_url?.url).toBe(`data:image/png;base64,${png.toString("base64")}`);
  });

  it("an image the model refuses is one line saying what to do", async () => {
    const home = tempHome();
    writeFileSync(join(home, "dot.png"), Buffer.from("89504e470d0a1a0a", "hex"));
    const refusing = await startFakeOpenAI({
      respond: () => ({
        fault: {
          status: 400,
          body: '{"error":{"message":"Invalid content type. image_url is only supported by certain models.","type":"invalid_request_error"}}',
        },
      }),
    });
    try {
      const r = await runCli(["agent", "-m", "what is this", "--file", "dot.png"], {
        env: { ...envFor(home), KAVILO_API_BASE: refusing.url },
        input: "",
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        "kavilo: openai returned 400: Invalid content type. image_url is only supported by certain models. (HTTP 400); if this model does not take images, pick one that does (--model) or leave the image out\n",
      );
    } finally {
      await refusing.close();
    }
  });

  it("a missing or binary --file is one line, exit 2, and no model call", async () => {
    const home = tempHome();
    writeFileSync(join(home, "blob.bin"), Buffer.from([1, 0, 2, 0]));
    const before = llm.requests.length;
    const missing = await runCli(["agent", "-m", "x", "--file", "nope.txt"], {
      env: envFor(home),
      input: "",
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("kavilo: --file nope.txt: no such file");
    const binary = await runCli(["agent", "-m", "x", "--file", "blob.bin"], { env: envFor(home), input: "" });
    expect(binary.code).toBe(2);
    expect(binary.stderr).toContain("not a text file or an image");
    expect(llm.requests.length).toBe(before);
  });

  it("stdin from a file is read as piped text, /dev/null as nothing", async () => {
    // Both are read at once (fstat), not through a stream: the same text as a pipe gives.
    const home = tempHome();
    const file = join(home, "in.txt");
    writeFileSync(file, "first line\nsecond line\n");
    const run = (args: string[], stdin: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const fd = openSync(stdin, "r");
        // A line already read from the file by someone else: the rest is what stdin still holds.
        if (stdin === file) readSync(fd, Buffer.alloc(11), 0, 11, null);
        const child = spawn(process.execPath, [BIN, ...args], {
          env: envFor(home),
          cwd: home,
          stdio: [fd, "pipe", "pipe"],
        });
        closeSync(fd);
        let stderr = "";
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (code) => resolve({ code, stderr }));
      });
    const fromFile = await run(["agent", "-m", "review"], file);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(lastUserText(llm.requests.at(-1)!)).toBe("review\n\n```\nsecond line\n```");
    const whole = await run(["agent", "-m", "-"], file);
    expect(whole.code, whole.stderr).toBe(0);
    expect(lastUserText(llm.requests.at(-1)!)).toBe("second line\n");
    const none = await run(["agent", "-m", "plain"], "/dev/null");
    expect(none.code, none.stderr).toBe(0);
    expect(lastUserText(llm.requests.at(-1)!)).toBe("plain");
    const empty = await run(["agent", "-m", "-"], "/dev/null");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe("kavilo: the message is empty\n");
  });

  it("says it waits when stdin stays open with nothing on it", async () => {
    const home = tempHome();
    const child = spawn(process.execPath, [BIN, "agent", "-m", "hello"], {
      env: envFor(home),
      cwd: home,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise((r) => setTimeout(r, 3_800));
    expect(stderr).toContain("waiting for stdin to end");
    child.stdin.end("late text");
    const code = await new Promise((r) => child.on("close", r));
    expect(code).toBe(0);
    expect(lastUserText(llm.requests.at(-1)!)).toBe("hello\n\n```\nlate text\n```");
  }, 15_000);
});
