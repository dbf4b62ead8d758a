import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { makePaths } from "../../src/core/base/paths.js";
import { parseConfig } from "../../src/core/config/parse.js";
import { safeUrl } from "../../src/mcp/servers/self/config-tools.js";
import { knownSecrets } from "../../src/mcp/servers/self/known-secrets.js";
import { runSelfTool } from "../../src/mcp/servers/self/result.js";
import { defineSelfTool, type SelfDeps, SelfToolError } from "../../src/mcp/servers/self/self-tool.js";
import { tempHome } from "../helpers/cli.js";

const CONFIG_SECRET = "no-shape-at-all-secret-0042";
const HEADER_SECRET = "hdrValueWithoutShape17";
const TOKEN_FILE_SECRET = "tokenFileAccess-plain-55";
const SLACK_FILE_SECRET = "slackMcpFile-plain-66";
const ARG_SECRET = "argAfterFlag-plain-77";
const INLINE_ARG_SECRET = "argInline-plain-88";
const PATH_SECRET = "pathSegment0123456789abc";
const QUERY_SECRET = "queryValue-plain-99";
const ALL = [
  CONFIG_SECRET,
  HEADER_SECRET,
  TOKEN_FILE_SECRET,
  SLACK_FILE_SECRET,
  ARG_SECRET,
  INLINE_ARG_SECRET,
  PATH_SECRET,
  QUERY_SECRET,
];

function depsWithSecrets(): SelfDeps {
  const home = join(tempHome("kavilo-self-mask-"), ".kavilo");
  const paths = makePaths(home);
  mkdirSync(join(paths.mcpAuth, "slack"), { recursive: true });
  writeFileSync(
    join(paths.mcpAuth, "docs.json"),
    JSON.stringify({ tokens: { access_token: TOKEN_FILE_SECRET } }),
  );
  writeFileSync(join(paths.mcpAuth, "slack", "s.json"), JSON.stringify({ token: SLACK_FILE_SECRET }));
  const { config } = parseConfig(
    {
      providers: { custom: { apiKey: CONFIG_SECRET }, openai: { apiKey: "short" } },
      tools: {
        mcpServers: {
          local: { command: "x", args: ["--token", ARG_SECRET, `--client-secret=${INLINE_ARG_SECRET}`] },
          zap: {
            type: "http",
            url: `https://z.example/api/s/${PATH_SECRET}/mcp?key=${QUERY_SECRET}&mode=readonly`,
          },
          docs: {
            type: "http",
            url: "https://d.example/mcp",
            headers: { "X-Api-Key": `Key ${HEADER_SECRET}` },
          },
        },
      },
    },
    paths.config,
  );
  return { basePaths: paths, config: () => ({ config, paths }), status: async () => ({}) };
}

const echo = defineSelfTool({
  name: "echo",
  title: "echo",
  description: "returns its text",
  input: z.object({ text: z.string(), fail: z.boolean().default(false) }),
  readOnly: true,
  async handler({ text, fail }) {
    if (fail) throw new SelfToolError(`failed on ${text}`);
    return { quoted: text };
  },
});

describe("the self server masks every secret the profile holds", () => {
  it("knows the values of config.json and of the mcp-auth token files, not short ones", async () => {
    const secrets = await knownSecrets(depsWithSecrets());
    for (const s of ALL) expect(secrets).toContain(s);
    for (const s of ["short", "--token", "readonly"]) expect(secrets).not.toContain(s);
  });

  it("masks them in answers and in errors, wherever they sit in free text", async () => {
    const deps = depsWithSecrets();
    const text = `he said ${CONFIG_SECRET} and ${TOKEN_FILE_SECRET}, then ${ALL.slice(2).join(" / ")} short readonly`;
    const ok = await runSelfTool(echo, { text }, deps);
    const failed = await runSelfTool(echo, { text, fail: true }, deps);
    for (const out of [ok.text, failed.text]) {
      for (const s of ALL) expect(out).not.toContain(s);
      expect(out).toContain("he said [REDACTED] and [REDACTED]");
      expect(out).toContain("short readonly");
    }
    expect(failed.isError).toBe(true);
  });
});

describe("safeUrl (list_mcp_servers)", () => {
  it("drops the query and masks key-like path segments", () => {
    expect(safeUrl("https://mcp.zapier.com/api/mcp/s/NjQ4ZjYyYzEtZTQ2Mi00Yz/mcp?x=1")).toBe(
      "https://mcp.zapier.com/api/mcp/s/[REDACTED]/mcp",
    );
    expect(safeUrl("https://h.example/v1/0f8fad5b-d9cb-469f-a165-70867728950e/sse")).toBe(
      "https://h.example/v1/[REDACTED]/sse",
    );
  });

  it("keeps ordinary paths readable", () => {
    expect(safeUrl("https://api.githubcopilot.com/mcp/readonly")).toBe(
      "https://api.githubcopilot.com/mcp/readonly",
    );
    expect(safeUrl("https://x.example/organizations/v2/streamable-http")).toBe(
      "https://x.example/organizations/v2/streamable-http",
    );
    expect(safeUrl("not a url")).toBe("(invalid url)");
  });
});
