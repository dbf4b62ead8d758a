import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
});

function homeWith(config: unknown) {
  const home = tempHome();
  mkdirSync(join(home, ".kavilo"), { recursive: true });
  writeFileSync(join(home, ".kavilo/config.json"), JSON.stringify(config));
  return cleanEnv(home, { ANTHROPIC_API_KEY: "sk-ant-test" });
}

describe("status shows the approval mode in effect", () => {
  it("unset: ask in the TUI and kavilo start, auto in agent -m; --json carries it", async () => {
    const env = homeWith({ tools: { exec: { allow: ["git status*"] } } });
    const text = await runCli(["status"], { env });
    expect(text.stdout).toMatch(
      /^approvals {4}ask in the TUI and kavilo start, auto in agent -m and cron run \(default\); never ask: git status\*$/m,
    );
    const json = JSON.parse((await runCli(["status", "--json"], { env })).stdout);
    expect(json.approvals).toMatchObject({ configured: null, tui: "ask", start: "ask", oneShot: "auto" });
  });

  it("auto with a chat channel on is a warning with the fix", async () => {
    const env = homeWith({
      channels: { telegram: { enabled: true, token: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } },
      tools: { approval: { mode: "auto" } },
    });
    const r = await runCli(["status"], { env });
    expect(r.stdout).toMatch(/^approvals {4}auto \(tools\.approval\.mode\)$/m);
    expect(r.stdout).toMatch(
      /warn approvals: auto with telegram on: anyone in allowFrom can have any shell command run unasked → kavilo config set tools\.approval\.mode ask/,
    );
  });
});
