import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serviceCheck } from "../../src/cli/service/check.js";
import {
  launchdPlist,
  launchdPlistPath,
  systemdUnit,
  systemdUnitPath,
} from "../../src/cli/service/service-unit.js";
import { tempHome } from "../helpers/cli.js";

/** The service check against a fake `systemctl` / `launchctl` first on PATH (execFile reads PATH). */

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

function fakeTool(home: string, name: string, script: string): void {
  const bin = join(home, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, name), 0o755);
  process.env.PATH = `${bin}:${savedPath}`;
}

function install(home: string, platform: "linux" | "darwin"): { profile: string; kaviloHome: string } {
  const spec = {
    command: [process.execPath, join(home, "kavilo.js")],
    kaviloHome: join(home, ".kavilo"),
    profile: "default",
  };
  writeFileSync(join(home, "kavilo.js"), "");
  const file = platform === "darwin" ? launchdPlistPath(home, spec) : systemdUnitPath(home, spec);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, platform === "darwin" ? launchdPlist(spec) : systemdUnit(spec));
  return spec;
}

describe("the service check asks the service manager", () => {
  it("launchd: a PID in `launchctl list` is running; a loaded job without one says its last exit", async () => {
    const home = tempHome();
    const spec = install(home, "darwin");
    fakeTool(home, "launchctl", 'echo "{\n\t\\"PID\\" = 4242;\n\t\\"Label\\" = \\"$2\\";\n};"');
    const running = await serviceCheck(spec, { platform: "darwin", userHome: home });
    expect(running).toMatchObject({
      status: "ok",
      summary: expect.stringMatching(/^installed and running: /),
    });

    fakeTool(home, "launchctl", 'echo "{\n\t\\"LastExitStatus\\" = 256;\n};"');
    const stopped = await serviceCheck(spec, { platform: "darwin", userHome: home });
    expect(stopped.status).toBe("warn");
    expect(stopped.summary).toMatch(
      /^installed but not running \(loaded, last exit 256\): .*dev\.kavilo\.default\.plist$/,
    );
    expect(stopped.fix).toBe(`launchctl load -w ${launchdPlistPath(home, spec)}`);
  });

  it("launchd: a job launchctl does not know is not loaded", async () => {
    const home = tempHome();
    const spec = install(home, "darwin");
    fakeTool(home, "launchctl", 'echo "Could not find service \\"$2\\" in domain for port" >&2; exit 113');
    const c = await serviceCheck(spec, { platform: "darwin", userHome: home });
    expect(c).toMatchObject({
      status: "warn",
      summary: expect.stringMatching(/^installed but not running \(not loaded\)/),
    });
  });

  it("systemd without a user bus: installed, and says systemctl cannot tell", async () => {
    const home = tempHome();
    const spec = install(home, "linux");
    fakeTool(home, "systemctl", 'echo "Failed to connect to bus: No medium found" >&2; exit 1');
    const c = await serviceCheck(spec, { platform: "linux", userHome: home });
    expect(c.status).toBe("ok");
    expect(c.summary).toMatch(
      /\(systemctl cannot tell whether it runs: Failed to connect to bus: No medium found\)$/,
    );
  });

  it("a service manager that hangs is given 2 s, then the check goes on", async () => {
    const home = tempHome();
    const spec = install(home, "linux");
    fakeTool(home, "systemctl", "exec sleep 30");
    const started = Date.now();
    const c = await serviceCheck(spec, { platform: "linux", userHome: home });
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(c).toMatchObject({
      status: "ok",
      summary: expect.stringMatching(/systemctl did not say in time/),
    });
  });
});
