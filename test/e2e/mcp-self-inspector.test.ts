import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, ROOT, tempHome } from "../helpers/cli.js";
import { SECRETS, SESSION_KEY, writeFixtureHome } from "../integration/mcp-self-home.js";

// The package's bin is a launcher that runs its CLI client in-process with --cli: no network,
// no browser. Secrets it might store go under HOME, which is a temp dir here.
const INSPECTOR = join(ROOT, "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");

function inspect(
  home: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = cleanEnv(home);
    // The inspector hands the server only what -e names (plus its defaults); HOME selects the profile.
    const child = spawn(
      process.execPath,
      [
        INSPECTOR,
        "--cli",
        "--format",
        "json",
        "-q",
        ...args,
        "-e",
        `HOME=${home}`,
        "--",
        process.execPath,
        BIN,
        "mcp",
        "serve",
        "self",
      ],
      { env, cwd: home, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`inspector timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let home: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
  home = tempHome("kavilo-mcp-self-inspector-");
  await writeFixtureHome(home);
});

describe("kavilo mcp serve self under the MCP Inspector CLI", () => {
  it("tools/list shows every tool, and --strict finds no schema portability problem", async () => {
    const r = await inspect(home, ["--method", "tools/list", "--strict"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { tools } = (JSON.parse(r.stdout) as { result: { tools: Array<{ name: string }> } }).result;
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "list_channels",
        "list_cron_jobs",
        "list_mcp_servers",
        "list_sessions",
        "mcp_login_finish",
        "mcp_login_start",
        "read_session",
        "send_channel_message",
        "status",
        "usage_summary",
      ].sort(),
    );
  });

  it("tools/call read_session returns the page, masked", async () => {
    const r = await inspect(home, [
      "--method",
      "tools/call",
      "--tool-name",
      "read_session",
      "--tool-args-json",
      JSON.stringify({ key: SESSION_KEY, limit: 2 }),
    ]);
    expect(r.code).toBe(0);
    const { result } = JSON.parse(r.stdout) as {
      result: { content: Array<{ text: string }>; isError?: boolean };
    };
    expect(result.isError).toBeFalsy();
    const page = JSON.parse(result.content[0]?.text ?? "") as { total: number; nextOffset: number };
    expect(page).toMatchObject({ total: 7, nextOffset: 2 });
    expect(r.stdout).toContain("[REDACTED]");
    for (const secret of Object.values(SECRETS)) expect(r.stdout).not.toContain(secret);
  });
});
