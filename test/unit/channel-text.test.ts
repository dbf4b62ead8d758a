import { describe, expect, it } from "vitest";
import { telegramChunks } from "../../src/channels/telegram/telegram-send.js";
import { markdownToMrkdwn } from "../../src/channels/text/slack-mrkdwn.js";
import { splitMarkdown } from "../../src/channels/text/split-markdown.js";
import { markdownToTelegramHtml } from "../../src/channels/text/telegram-html.js";

describe("markdownToMrkdwn", () => {
  it.each([
    ["**bold**", "*bold*"],
    ["*it* and _it_", "_it_ and _it_"],
    ["~~gone~~", "~gone~"],
    ["[site](https://a.dev/x?q=1&r=2)", "<https://a.dev/x?q=1&r=2|site>"],
    ["## Title", "*Title*"],
    ["a < b & c > d", "a &lt; b &amp; c &gt; d"],
    ["use `a<b>` here", "use `a&lt;b&gt;` here"],
    ["`x && y`", "`x &amp;&amp; y`"],
    ["- one\n- two", "• one\n• two"],
    ["> quoted", "> quoted"],
  ])("%s → %s", (md, expected) => {
    expect(markdownToMrkdwn(md)).toBe(expected);
  });

  it("keeps code blocks, with Slack's three control characters escaped as Slack requires", () => {
    expect(markdownToMrkdwn("```ts\nif (a < b && c) {}\n```")).toBe(
      "```\nif (a &lt; b &amp;&amp; c) {}\n```",
    );
  });
});

describe("markdownToTelegramHtml", () => {
  it("renders the supported subset and escapes the rest", () => {
    expect(
      markdownToTelegramHtml("# Head\n\n**b** *i* ~~s~~ `c<d` [l](https://x.dev?a=1&b=2) 1 < 2 & 3 > 2"),
    ).toBe(
      '<b>Head</b>\n\n<b>b</b> <i>i</i> <s>s</s> <code>c&lt;d</code> <a href="https://x.dev?a=1&amp;b=2">l</a> 1 &lt; 2 &amp; 3 &gt; 2',
    );
  });

  it("renders code blocks with their language and lists as bullets", () => {
    expect(markdownToTelegramHtml("```go\nx := a<b\n```")).toBe(
      '<pre><code class="language-go">x := a&lt;b</code></pre>',
    );
    expect(markdownToTelegramHtml("1. one\n2. two\n\n- a\n  - b")).toBe("1. one\n2. two\n\n• a\n   • b");
  });

  it("treats raw html in the model's text as text", () => {
    expect(markdownToTelegramHtml("<script>x</script>")).toBe("&lt;script&gt;x&lt;/script&gt;");
  });
});

describe("splitMarkdown", () => {
  it("returns short text unchanged", () => {
    expect(splitMarkdown("hello\n\nworld", 100)).toEqual(["hello\n\nworld"]);
  });

  it("moves a whole code block to the next chunk instead of cutting it", () => {
    const code = "```\nline a\nline b\n```";
    const chunks = splitMarkdown(`${"x".repeat(50)}\n\n${code}`, 60);
    expect(chunks).toEqual(["x".repeat(50), code]);
  });

  it("closes and reopens the fence when one code block is longer than a chunk", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `row ${i}`);
    const chunks = splitMarkdown(["```sql", ...lines, "```"].join("\n"), 80);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(80);
      expect(c.startsWith("```sql\n")).toBe(true);
      expect(c.endsWith("\n```")).toBe(true);
    }
    const body = chunks.flatMap((c) => c.split("\n").slice(1, -1));
    expect(body).toEqual(lines);
  });

  it("cuts an over-long line at a space and keeps every word in order", () => {
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const chunks = splitMarkdown(words.join(" "), 50);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(50);
    expect(chunks.join(" ").split(" ")).toEqual(words);
  });
});

describe("telegramChunks", () => {
  it("splits again when escaping pushes a chunk past Telegram's limit", () => {
    const text = "&".repeat(3400);
    const chunks = telegramChunks(text);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.html.length).toBeLessThan(4096);
    expect(chunks.map((c) => c.markdown).join("")).toBe(text);
  });
});
