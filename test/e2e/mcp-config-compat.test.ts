// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config.json text holds ${VAR} as users write it
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpSse, startMcpSse } from "../fakes/mcp-sse.js";
import { cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { writeConfig } from "./start-harness.js";

// What users paste from Claude Desktop, Cursor, Claude Code and Cline works unchanged.
let sse: McpSse;
beforeAll(async () => {
  sse = await startMcpSse();
});
afterAll(async () => sse?.close());

interface StatusRow {
  alias: string;
  transport: string;
  state?: string;
  enabled: boolean;
  toolCount?: number;
  error?: string;
}

describe("MCP config from other tools", () => {
  it("type sse, ${VAR} and ${VAR:-default} expansion, disabled: true", async () => {
    const home = tempHome();
    writeConfig(home, {
      tools: {
        mcpServers: {
          legacy: {
            type: "sse",
            url: "${LEGACY_MCP_URL}",
            headers: { Authorization: "Bearer ${LEGACY_MCP_TOKEN}" },
          },
          off: { command: "${MISSING_BIN:-/bin/false}", args: ["${HOME}"], disabled: true, autoApprove: [] },
        },
      },
    });
    const env = cleanEnv(home, { LEGACY_MCP_URL: sse.url, LEGACY_MCP_TOKEN: "tok-123" });
    const r = await runCli(["status", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const rows = (JSON.parse(r.stdout) as { mcpServers: StatusRow[] }).mcpServers;
    expect(rows.find((s) => s.alias === "legacy")).toMatchObject({
      transport: "http",
      state: "connected",
      toolCount: 1,
    });
    expect(rows.find((s) => s.alias === "off")).toMatchObject({ enabled: false, state: "disabled" });
    expect(sse.authorizations).toContain("Bearer tok-123");
    const text = await runCli(["status"], { env });
    expect(text.stdout).toMatch(/off \(stdio\): disabled/);
    // the file keeps the variables as written
    expect(readFileSync(join(home, ".kavilo", "config.json"), "utf8")).toContain("${LEGACY_MCP_TOKEN}");
  });

  it("Cline's entries load as written: transportType sse, timeout, alwaysAllow", async () => {
    const home = tempHome();
    writeConfig(home, {
      tools: {
        mcpServers: {
          legacy: { url: sse.url, transportType: "sse", timeout: 45, alwaysAllow: ["ping"], disabled: false },
          local: { command: "/bin/false", transportType: "stdio", timeout: 7, disabled: true },
        },
      },
    });
    const env = cleanEnv(home);
    const r = await runCli(["status", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const rows = (JSON.parse(r.stdout) as { mcpServers: StatusRow[] }).mcpServers;
    expect(rows.find((s) => s.alias === "legacy")).toMatchObject({ state: "connected", toolCount: 1 });
    const shown = await runCli(["config", "get", "tools.mcpServers.local.timeoutS"], { env });
    expect(shown.stdout.trim()).toBe("7");
  });

  it("a url alone that turns out to be an older SSE server is reached over SSE (404 to the streamable POST)", async () => {
    const home = tempHome();
    writeConfig(home, { tools: { mcpServers: { pasted: { url: sse.url } } } });
    const r = await runCli(["status", "--json"], { env: cleanEnv(home) });
    expect(r.code, r.stderr).toBe(0);
    const rows = (JSON.parse(r.stdout) as { mcpServers: StatusRow[] }).mcpServers;
    expect(rows.find((s) => s.alias === "pasted")).toMatchObject({ state: "connected", toolCount: 1 });
  });

  it("${VAR} and ${VAR:-default} in a stdio server's command, args and env are what it runs with", async () => {
    const home = tempHome();
    writeConfig(home, {
      tools: {
        mcpServers: {
          local: {
            command: "${NODE_BIN}",
            args: ["${SERVERS}/flaky-stdio-server.mjs"],
            env: { FLAKY_LOG: "${FLAKY_DIR:-" + home + "}/started.log" },
          },
        },
      },
    });
    const env = cleanEnv(home, { NODE_BIN: process.execPath, SERVERS: join(ROOT, "test/fakes") });
    const r = await runCli(["status", "--json"], { env });
    expect(r.code, r.stderr).toBe(0);
    const rows = (JSON.parse(r.stdout) as { mcpServers: StatusRow[] }).mcpServers;
    expect(rows.find((s) => s.alias === "local")).toMatchObject({ state: "connected" });
    // the server wrote where the default pointed: env was expanded too
    expect(readFileSync(join(home, "started.log"), "utf8")).toContain("start");
  });

  it("Cursor's envFile: its variables reach the stdio server, env wins over it, a missing file is one line", async () => {
    const home = tempHome();
    writeFileSync(
      join(home, "server.env"),
      `# written by hand\nexport FLAKY_LOG="${home}/from-envfile.log"\nOTHER=x # trailing comment\n`,
    );
    writeConfig(home, {
      tools: {
        mcpServers: {
          fromFile: {
            command: process.execPath,
            args: [join(ROOT, "test/fakes/flaky-stdio-server.mjs")],
            envFile: "${HOME}/server.env",
          },
          envWins: {
            command: process.execPath,
            args: [join(ROOT, "test/fakes/flaky-stdio-server.mjs")],
            envFile: "~/server.env",
            env: { FLAKY_LOG: join(home, "from-env.log") },
          },
          noFile: { command: process.execPath, args: ["-e", "0"], envFile: "~/missing.env" },
        },
      },
    });
    const r = await runCli(["status", "--json"], { env: cleanEnv(home) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("unknown key");
    const rows = (JSON.parse(r.stdout) as { mcpServers: StatusRow[] }).mcpServers;
    expect(rows.find((s) => s.alias === "fromFile")).toMatchObject({ state: "connected" });
    expect(rows.find((s) => s.alias === "envWins")).toMatchObject({ state: "connected" });
    expect(readFileSync(join(home, "from-envfile.log"), "utf8")).toContain("start");
    expect(readFileSync(join(home, "from-env.log"), "utf8")).toContain("start");
    expect(readFileSync(join(home, "from-envfile.log"), "utf8").match(/start/g)).toHaveLength(1);
    expect(rows.find((s) => s.alias === "noFile")?.error).toMatch(/envFile .*missing\.env: no such file/);
  });

  it("a variable with no value and no default is named in a warning", async () => {
    const home = tempHome();
    writeConfig(home, {
      tools: { mcpServers: { gh: { command: "/bin/false", env: { TOKEN: "${GH_TOKEN}" } } } },
    });
    const r = await runCli(["config", "validate"], { env: cleanEnv(home) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("tools.mcpServers.gh");
    expect(r.stderr).toContain(
      "${GH_TOKEN}, which is not set: export it, or give a default as ${GH_TOKEN:-value}",
    );
  });

  it("a top-level mcpServers block is named in the warning with the fix", async () => {
    const home = tempHome();
    const file = writeConfig(home, { mcpServers: { fs: { command: "npx" } } });
    const r = await runCli(["config", "validate"], { env: cleanEnv(home) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `top-level "mcpServers" in ${join(file, "config.json")} is ignored (kept): kavilo reads MCP servers from tools.mcpServers; move the block under "tools", or run kavilo mcp import ${join(file, "config.json")}`,
    );
  });

  it("kavilo mcp import merges a Claude Desktop config and shows what it added", async () => {
    const home = tempHome();
    writeConfig(home, { tools: { mcpServers: { mine: { command: "my-server" } } } });
    const desktop = join(home, "claude_desktop_config.json");
    writeFileSync(
      desktop,
      JSON.stringify({
        mcpServers: {
          filesystem: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] },
          remote: { type: "sse", url: "https://mcp.example.com/sse" },
          mine: { command: "someone-else" },
        },
      }),
    );
    const env = cleanEnv(home);
    const r = await runCli(["mcp", "import", desktop], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "added filesystem: npx -y @modelcontextprotocol/server-filesystem /tmp",
      "added remote: https://mcp.example.com/sse (sse)",
      "kept the existing mine (kavilo config unset tools.mcpServers.mine first to replace it)",
      `2 servers added to tools.mcpServers in ${join(home, ".kavilo", "config.json")}; check them with kavilo status`,
      "",
    ]);
    const config = JSON.parse(readFileSync(join(home, ".kavilo", "config.json"), "utf8"));
    expect(Object.keys(config.tools.mcpServers)).toEqual(["mine", "filesystem", "remote"]);
    expect(config.tools.mcpServers.mine).toEqual({ command: "my-server" });
    const again = await runCli(["mcp", "import", desktop], { env });
    expect(again.stdout).toContain("unchanged filesystem");
    expect(again.stdout).toContain("nothing added");
  });

  it("kavilo mcp import reads VS Code's servers block and names an ${input:…} it cannot fill", async () => {
    const home = tempHome();
    const vscode = join(home, "mcp.json");
    writeFileSync(
      vscode,
      JSON.stringify({
        inputs: [{ type: "promptString", id: "gh-token", password: true }],
        servers: {
          github: {
            type: "http",
            url: "https://api.example.com/mcp",
            headers: { Authorization: "Bearer ${input:gh-token}" },
          },
          files: { type: "stdio", command: "npx", args: ["-y", "some-server"] },
        },
      }),
    );
    const r = await runCli(["mcp", "import", vscode], { env: cleanEnv(home) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("added github: https://api.example.com/mcp");
    expect(r.stdout).toMatch(/github uses VS Code's \$\{input:…\}, which kavilo cannot ask for/);
    expect(r.stdout).toContain("added files: npx -y some-server");
    const config = JSON.parse(readFileSync(join(home, ".kavilo", "config.json"), "utf8"));
    expect(Object.keys(config.tools.mcpServers)).toEqual(["github", "files"]);
  });

  it("mcp import of a file without mcpServers, or with a bad entry, changes nothing", async () => {
    const home = tempHome();
    writeConfig(home, {});
    const none = join(home, "none.json");
    writeFileSync(none, "{}");
    const r = await runCli(["mcp", "import", none], { env: cleanEnv(home) });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `kavilo: no "mcpServers" (or VS Code "servers") block in ${none}: nothing to import`,
    );
    const bad = join(home, "bad.json");
    writeFileSync(bad, JSON.stringify({ mcpServers: { odd: { cmd: "x" } } }));
    const b = await runCli(["mcp", "import", bad], { env: cleanEnv(home) });
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("tools.mcpServers.odd");
    expect(readFileSync(join(home, ".kavilo", "config.json"), "utf8")).toBe("{}");
  });
});
