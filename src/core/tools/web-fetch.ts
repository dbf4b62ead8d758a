import * as z from "zod";
import type { AddressPolicy, PinnedResponse } from "./pinned-fetch.js";
import { defineTool, ToolError } from "./types.js";

export interface WebFetchToolOptions extends AddressPolicy {
  /** Most characters of text returned (tools.web.fetch.maxChars). */
  maxChars: number;
  /** Most bytes downloaded before conversion. */
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
}

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_REDIRECTS = 5;

const parameters = z.object({
  url: z.string().describe("http(s) URL to fetch"),
});

function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError(`Not a valid URL: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ToolError(`Only http and https URLs can be fetched, not ${url.protocol}`);
  }
  return url;
}

async function readCapped(body: AsyncIterable<Uint8Array> | null, maxBytes: number) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  if (body) {
    for await (const chunk of body) {
      if (size + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - size));
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  }
  return { buffer: Buffer.concat(chunks), truncated };
}

async function toText(buffer: Buffer, contentType: string): Promise<string> {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  const isHtml = type === "text/html" || type === "application/xhtml+xml";
  const isJson = type === "application/json" || type.endsWith("+json");
  const isText =
    type === "" ||
    type.startsWith("text/") ||
    type.endsWith("+xml") ||
    ["application/xml", "application/javascript", "application/x-ndjson"].includes(type);
  if (!isHtml && !isJson && !isText) {
    throw new ToolError(`Cannot read content type ${type}; web_fetch returns text, HTML and JSON only`);
  }
  if (buffer.includes(0)) throw new ToolError("The response looks binary (it contains NUL bytes)");
  const raw = buffer.toString("utf8");
  if (isHtml) {
    const { convert } = await import("html-to-text");
    return convert(raw, {
      wordwrap: false,
      selectors: [
        { selector: "img", format: "skip" },
        { selector: "nav", format: "skip" },
        { selector: "a", options: { ignoreHref: false, hideLinkHrefIfSameAsText: true } },
      ],
    }).trim();
  }
  if (isJson) {
    try {
      return JSON.stringify(JSON.parse(raw), null, 2);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Follows up to `maxRedirects` redirects by hand so every hop's host goes through the address check. */
async function fetchFollowing(start: URL, opts: WebFetchToolOptions, signal: AbortSignal) {
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const headers = { "user-agent": opts.userAgent ?? "kavilo-web-fetch", accept: "text/html, */*;q=0.8" };
  let url = start;
  // Loaded on use: DNS and sockets are not needed by a turn that fetches nothing.
  const { fetchPinned, vetHost } = await import("./pinned-fetch.js");
  for (let hop = 0; ; hop++) {
    const addresses = await vetHost(url, opts);
    const res: PinnedResponse = await fetchPinned(url, addresses, signal, headers);
    if (res.status < 300 || res.status >= 400 || res.location === null) return res;
    await res.release();
    if (hop >= maxRedirects) throw new ToolError(`Too many redirects (more than ${maxRedirects})`);
    let next: URL;
    try {
      next = new URL(res.location, url);
    } catch {
      throw new ToolError(`Redirect to an invalid URL: ${res.location}`);
    }
    url = parseHttpUrl(next.href);
  }
}

export function createWebFetchTool(options: WebFetchToolOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return defineTool({
    name: "web_fetch",
    description:
      "Fetch a web page or API URL (http/https) and return it as readable text. HTML is converted to text, JSON pretty-printed.",
    parameters,
    capabilities: { readOnly: true },
    async run(args, ctx) {
      const url = parseHttpUrl(args.url);
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      let res: PinnedResponse;
      let body: { buffer: Buffer; truncated: boolean };
      try {
        res = await fetchFollowing(url, options, signal);
        try {
          body = await readCapped(res.body, options.maxBytes ?? DEFAULT_MAX_BYTES);
        } finally {
          await res.release();
        }
      } catch (err) {
        if (err instanceof ToolError) throw err;
        if (timeout.aborted)
          throw new ToolError(`Fetching ${url.href} timed out after ${timeoutMs / 1000} s`);
        if (ctx.signal.aborted) throw new ToolError("web_fetch was aborted");
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
        throw new ToolError(`Fetching ${url.href} failed${cause || `: ${String(err)}`}`);
      }

      const contentType = res.contentType ?? "";
      let text = await toText(body.buffer, contentType);
      const notes: string[] = [];
      if (body.truncated) notes.push("download stopped at the size cap");
      if (text.length > options.maxChars) {
        text = text.slice(0, options.maxChars);
        notes.push(`text cut to ${options.maxChars} characters`);
      }
      const header = `URL: ${res.url}\nStatus: ${res.status}\nContent-Type: ${contentType || "unknown"}`;
      const note = notes.length > 0 ? `\n\n[truncated: ${notes.join("; ")}]` : "";
      return { content: `${header}\n\n${text}${note}`, isError: res.status >= 400 };
    },
  });
}
