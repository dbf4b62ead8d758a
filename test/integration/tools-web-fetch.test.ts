import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedAddress } from "../../src/core/tools/pinned-fetch.js";
import { createWebFetchTool, type WebFetchToolOptions } from "../../src/core/tools/web-fetch.js";

let server: Server;
let base: string;
let port: number;
const hits: string[] = [];

const PAGE = `<!doctype html><html><head><title>T</title><style>.x{color:red}</style>
<script>var leaked = "SCRIPT";</script></head>
<body><h1>Hello kavilo</h1><p>First <b>para</b> with <a href="https://example.org/doc">a link</a>.</p></body></html>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const redirect = (to: string) => res.writeHead(302, { location: to }).end();
    switch (req.url) {
      case "/page":
        return res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
      case "/json":
        return res.writeHead(200, { "content-type": "application/json" }).end('{"a":1,"b":[true]}');
      case "/big":
        return res.writeHead(200, { "content-type": "text/plain" }).end("y".repeat(5000));
      case "/png":
        return res.writeHead(200, { "content-type": "image/png" }).end(Buffer.from([0x89, 0x50, 0, 0]));
      case "/missing":
        return res.writeHead(404, { "content-type": "text/plain" }).end("not here");
      case "/to-metadata":
        return redirect("http://169.254.169.254/latest/meta-data/");
      case "/to-localhost":
        return redirect(`http://localhost:${port}/page`);
      case "/to-mapped":
        return redirect(`http://[::ffff:127.0.0.1]:${port}/page`);
      case "/to-file":
        return redirect("file:///etc/passwd");
      case "/to-page":
        return redirect("/page");
      case "/loop":
        return redirect("/loop");
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function fetchWith(url: string, opts: Partial<WebFetchToolOptions> = {}) {
  const tool = createWebFetchTool({ allowPrivate: false, maxChars: 10_000, ...opts });
  const ctx = {
    workspace: "/",
    restrictToWorkspace: true,
    signal: new AbortController().signal,
    sessionKey: "t",
  };
  try {
    const res = await tool.run({ url }, ctx);
    return typeof res === "string"
      ? { content: res, isError: false }
      : { ...res, content: String(res.content) };
  } catch (err) {
    return { content: (err as Error).message, isError: true };
  }
}

describe("web_fetch address checks", () => {
  it("refuses loopback without connecting", async () => {
    const before = hits.length;
    const res = await fetchWith(`${base}/page`);
    expect(res.isError).toBe(true);
    expect(res.content).toContain("127.0.0.1 is a loopback address");
    expect(hits.length).toBe(before);
  });

  it("refuses the cloud metadata address", async () => {
    const res = await fetchWith("http://169.254.169.254/latest/meta-data/");
    expect(res).toMatchObject({ isError: true });
    expect(res.content).toContain("link-local / cloud metadata");
  });

  it("refuses a name that resolves to a private address", async () => {
    const lookup = async (): Promise<ResolvedAddress[]> => [{ address: "10.1.2.3", family: 4 }];
    const res = await fetchWith("http://intranet.example/", { lookup });
    expect(res.content).toContain("intranet.example resolves to 10.1.2.3, a private address");
    const local = await fetchWith(`http://localhost:${port}/page`);
    expect(local.content).toMatch(/localhost resolves to .*, a loopback address/);
  });

  it("refuses non-http schemes", async () => {
    const res = await fetchWith("file:///etc/passwd");
    expect(res).toEqual({ isError: true, content: "Only http and https URLs can be fetched, not file:" });
  });

  it.each([
    ["/to-metadata", "169.254.169.254 is a link-local / cloud metadata address"],
    ["/to-localhost", "loopback address"],
    ["/to-mapped", "is a loopback address"],
    ["/to-file", "Only http and https"],
  ])("re-checks the redirect %s from an allowed host", async (path, message) => {
    const before = hits.length;
    const res = await fetchWith(`${base}${path}`, { allowHosts: ["127.0.0.1"] });
    expect(res.isError).toBe(true);
    expect(res.content).toContain(message);
    // Only the first (allowed) hop reached the server.
    expect(hits.slice(before)).toEqual([path]);
  });

  it("follows an allowed redirect and stops redirect loops", async () => {
    const ok = await fetchWith(`${base}/to-page`, { allowHosts: ["127.0.0.1"] });
    expect(ok.isError).toBe(false);
    expect(ok.content).toContain(`URL: ${base}/page`);
    expect(ok.content).toContain("HELLO KAVILO");
    const loop = await fetchWith(`${base}/loop`, { allowHosts: ["127.0.0.1"] });
    expect(loop).toEqual({ isError: true, content: "Too many redirects (more than 5)" });
  });

  it("connects to the vetted address, not a second DNS answer", async () => {
    const asked: string[] = [];
    const lookup = async (host: string): Promise<ResolvedAddress[]> => {
      asked.push(host);
      return [{ address: "127.0.0.1", family: 4 }];
    };
    // `pinned.invalid` never resolves through real DNS: success proves the socket used our answer.
    const res = await fetchWith(`http://pinned.invalid:${port}/page`, { allowPrivate: true, lookup });
    expect(res.isError).toBe(false);
    expect(res.content).toContain("HELLO KAVILO");
    expect(asked).toEqual(["pinned.invalid"]);
  });
});

describe("web_fetch content", () => {
  it("converts HTML to readable text without scripts or styles", async () => {
    const res = await fetchWith(`${base}/page`, { allowPrivate: true });
    expect(res.isError).toBe(false);
    expect(res.content).toContain("Content-Type: text/html; charset=utf-8");
    expect(res.content).toContain("HELLO KAVILO");
    expect(res.content).toContain("First para with a link [https://example.org/doc].");
    expect(res.content).not.toContain("SCRIPT");
    expect(res.content).not.toContain("color:red");
    expect(res.content).not.toContain("<p>");
  });

  it("pretty-prints JSON", async () => {
    const res = await fetchWith(`${base}/json`, { allowPrivate: true });
    expect(res.content).toContain('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
  });

  it("cuts text at maxChars with a note", async () => {
    const res = await fetchWith(`${base}/big`, { allowPrivate: true, maxChars: 100 });
    expect(res.content).toContain(`${"y".repeat(100)}\n\n[truncated: text cut to 100 characters]`);
    expect(res.content).not.toContain("y".repeat(101));
  });

  it("refuses binary content types and flags HTTP errors", async () => {
    const png = await fetchWith(`${base}/png`, { allowPrivate: true });
    expect(png).toMatchObject({ isError: true });
    expect(png.content).toContain("Cannot read content type image/png");
    const missing = await fetchWith(`${base}/missing`, { allowPrivate: true });
    expect(missing).toMatchObject({ isError: true });
    expect(missing.content).toContain("Status: 404");
  });

  it("times out", async () => {
    const slow = createServer(() => {});
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const slowPort = (slow.address() as AddressInfo).port;
    try {
      const res = await fetchWith(`http://127.0.0.1:${slowPort}/`, { allowPrivate: true, timeoutMs: 300 });
      expect(res).toEqual({
        isError: true,
        content: `Fetching http://127.0.0.1:${slowPort}/ timed out after 0.3 s`,
      });
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});
