import * as z from "zod";
import { defineTool, ToolError } from "./types.js";

export interface WebSearchToolOptions {
  /** Brave Search subscription token (tools.web.search.apiKey, or BRAVE_API_KEY via the config overlay). */
  apiKey?: string;
  /** Default number of results (tools.web.search.maxResults). */
  maxResults: number;
  /** Default https://api.search.brave.com */
  apiBase?: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

const DEFAULT_API_BASE = "https://api.search.brave.com";

const parameters = z.object({
  query: z.string().min(1).describe("Search query"),
  count: z.number().int().min(1).max(20).optional().describe("Number of results, 1-20"),
});

const braveResponse = z.object({
  web: z
    .object({
      results: z
        .array(
          z.object({
            title: z.string().default(""),
            url: z.string(),
            description: z.string().optional(),
          }),
        )
        .default([]),
    })
    .optional(),
});

function plain(text: string): string {
  return text
    .replace(/<[^>]*>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export function createWebSearchTool(options: WebSearchToolOptions) {
  const doFetch = options.fetchImpl ?? fetch;
  const base = (options.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, "");
  return defineTool({
    name: "web_search",
    description: "Search the web (Brave Search). Returns numbered results with title, URL and snippet.",
    parameters,
    capabilities: { readOnly: true },
    async run(args, ctx) {
      if (!options.apiKey) {
        throw new ToolError(
          "web_search needs a Brave Search API key: set BRAVE_API_KEY or tools.web.search.apiKey",
        );
      }
      const count = args.count ?? options.maxResults;
      const url = new URL(`${base}/res/v1/web/search`);
      url.searchParams.set("q", args.query);
      url.searchParams.set("count", String(count));
      const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(options.timeoutMs ?? 20_000)]);
      let res: Response;
      try {
        res = await doFetch(url, {
          headers: { accept: "application/json", "x-subscription-token": options.apiKey },
          signal,
        });
      } catch (err) {
        throw new ToolError(
          `Brave Search request failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (!res.ok) {
        const hint = res.status === 401 || res.status === 403 ? " (check the API key)" : "";
        throw new ToolError(`Brave Search returned HTTP ${res.status}${hint}`);
      }
      const parsed = braveResponse.safeParse(await res.json().catch(() => undefined));
      if (!parsed.success) throw new ToolError("Brave Search returned an unexpected response");
      const results = (parsed.data.web?.results ?? []).slice(0, count);
      if (results.length === 0) return `No results for "${args.query}"`;
      return results
        .map((r, i) => {
          const snippet = r.description ? `\n   ${plain(r.description)}` : "";
          return `${i + 1}. ${plain(r.title)}\n   ${r.url}${snippet}`;
        })
        .join("\n\n");
    },
  });
}
