import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, ROOT, runCli, tempHome } from "../helpers/cli.js";
import { fakeSystemctl } from "../helpers/fake-systemctl.js";

/** `status` renders the diagnostics checks (the offline ones): it and `doctor` say the same things. */

interface ReportedCheck {
  id: string;
  status: string;
  summary: string;
  fix?: string;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("run npm run build before the e2e tests");
});

function profile(config: unknown): string {
  const home = tempHome();
  mkdirSync(join(home, ".kavilo"), { recursive: true });
  writeFileSync(join(home, ".kavilo", "config.json"), JSON.stringify(config));
  return home;
}

describe("status renders the checks doctor runs", () => {
  it("config, environment, provider, keys, channels and workspace rows are the checks' findings", async () => {
    const home = profile({
      channels: { telegram: { enabled: true }, slack: { enabled: true, botToken: "xoxb-secret-1" } },
      surprise: true,
    });
    const env = cleanEnv(home, { ANTHROPIC_API_KEY: "sk-ant-secret-2", KAVILO_MODEL: "claude-sonnet-5-5" });
    const r = await runCli(["status", "--json", "--no-mcp"], { env });
    const s = JSON.parse(r.stdout) as {
      config: { warnings: string[] };
      envOverlays: string[];
      keys: unknown[];
      channels: Record<string, { enabled: boolean; configured: boolean }>;
      workspace: { exists: boolean };
      checks: ReportedCheck[];
    };
    const check = (id: string) => s.checks.find((c) => c.id === id);
    // Each field and the check it comes from.
    expect(s.config.warnings).toEqual([expect.stringMatching(/^unknown key surprise in /)]);
    expect(check("config.file")).toMatchObject({
      status: "warn",
      summary: expect.stringContaining("surprise"),
    });
    expect(s.envOverlays).toEqual(expect.arrayContaining(["KAVILO_MODEL", "ANTHROPIC_API_KEY"]));
    expect(check("config.env")?.summary).toMatch(/^the environment sets .*KAVILO_MODEL/);
    expect(s.keys).toEqual([
      { provider: "anthropic", env: "ANTHROPIC_API_KEY", inEnv: true, inConfig: false },
    ]);
    expect(check("provider.keys")?.summary).toBe("API keys: anthropic (ANTHROPIC_API_KEY)");
    expect(check("provider.resolve")?.summary).toMatch(/^anthropic\/claude-sonnet-5-5 /);
    expect(s.channels).toEqual({
      telegram: { enabled: true, configured: false },
      slack: { enabled: true, configured: false },
    });
    expect(check("channels.telegram")).toEqual({
      id: "channels.telegram",
      area: "channels",
      status: "fail",
      summary: "telegram: enabled without a token",
      fix: "set channels.telegram.token (from @BotFather)",
    });
    expect(check("channels.slack")?.summary).toBe("slack: enabled without appToken (xapp-...)");
    expect(s.workspace.exists).toBe(false);
    expect(check("home.workspace")?.status).toBe("warn");
    // Nothing in status is a network check.
    expect(s.checks.map((c) => c.id)).not.toContain("provider.reachable");
    expect(r.stdout).not.toMatch(/secret-[12]/);

    // doctor says the same about the channel, from the same check, before it asks the API anything.
    const d = await runCli(["doctor", "--json"], { env, timeoutMs: 30_000 });
    const dc = (JSON.parse(d.stdout) as { checks: ReportedCheck[] }).checks.find(
      (c) => c.id === "channels.telegram",
    );
    expect(dc).toEqual(check("channels.telegram"));

    // The text view: the warning once on stdout, none on stderr; the problems with their fixes.
    const text = await runCli(["status", "--no-mcp"], { env });
    expect(text.stdout.match(/unknown key surprise/g)).toHaveLength(2); // the config row and its check
    expect(text.stderr).toBe("");
    expect(text.stdout).toMatch(/FAIL telegram: enabled without a token → set channels\.telegram\.token/);
  });

  it("the service unit: status shows what systemctl says, as doctor does", async () => {
    const home = profile({});
    mkdirSync(join(home, ".config", "systemd", "user"), { recursive: true });
    writeFileSync(
      join(home, ".config", "systemd", "user", "kavilo.service"),
      `[Service]\nExecStart=${process.execPath} ${BIN} start\n`,
    );
    const env = cleanEnv(home, { PATH: fakeSystemctl(home, "failed") });
    const r = await runCli(["status", "--json", "--no-mcp"], { env });
    const c = (JSON.parse(r.stdout) as { checks: ReportedCheck[] }).checks.find(
      (x) => x.id === "service.unit",
    );
    expect(c).toMatchObject({
      status: "warn",
      summary: expect.stringMatching(/^installed but not running \(failed\)/),
    });
    const text = await runCli(["status", "--no-mcp"], { env });
    expect(text.stdout).toMatch(
      /warn installed but not running \(failed\): .* → systemctl --user start kavilo\.service/,
    );
  });
});
