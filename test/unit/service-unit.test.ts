import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  installService,
  type RunCommand,
  serviceStatus,
  uninstallService,
} from "../../src/cli/service/service-manager.js";
import {
  currentCommand,
  launchdPlist,
  launchdPlistPath,
  type ServiceSpec,
  systemdUnit,
  systemdUnitPath,
} from "../../src/cli/service/service-unit.js";

const userHome = () => mkdtempSync(join(tmpdir(), "kavilo-service-"));

const spec = (home: string, profile: string | undefined = "default"): ServiceSpec => ({
  command: ["/opt/node 24/bin/node", "/usr/lib/kavilo/bin/kavilo.js"],
  kaviloHome:
    profile === "default" ? join(home, ".kavilo") : join(home, ".kavilo", "profiles", profile ?? "x"),
  profile,
  path: "/usr/bin:/bin",
});

function recorder(status: number | null = 0) {
  const calls: string[] = [];
  const run: RunCommand = (cmd, args) => {
    calls.push([cmd, ...args].join(" "));
    return { status, stdout: "active (running)", stderr: status === null ? "" : "Failed to connect to bus" };
  };
  return { calls, run };
}

describe("service unit files", () => {
  it("names the systemd unit per profile under ~/.config/systemd/user", () => {
    const home = "/home/u";
    expect(systemdUnitPath(home, spec(home))).toBe("/home/u/.config/systemd/user/kavilo.service");
    expect(systemdUnitPath(home, spec(home, "work"))).toBe(
      "/home/u/.config/systemd/user/kavilo-work.service",
    );
    const outside = systemdUnitPath(home, { profile: undefined, kaviloHome: "/srv/agent" });
    expect(outside).toMatch(/kavilo-home-[0-9a-f]{8}\.service$/);
  });

  it("runs the current node and bin with `start`, KAVILO_HOME set and Restart=on-failure", () => {
    const unit = systemdUnit(spec("/home/u", "work"));
    expect(unit).toContain('ExecStart="/opt/node 24/bin/node" /usr/lib/kavilo/bin/kavilo.js start\n');
    expect(unit).toContain("Environment=KAVILO_HOME=/home/u/.kavilo/profiles/work\n");
    expect(unit).toContain("Restart=on-failure\n");
    expect(unit).toContain("WantedBy=default.target");
  });

  it("writes a launchd plist with the label, arguments and escaped values", () => {
    const s = { ...spec("/Users/u", "a&b"), profile: "work" };
    expect(launchdPlistPath("/Users/u", s)).toBe("/Users/u/Library/LaunchAgents/dev.kavilo.work.plist");
    const plist = launchdPlist({ ...s, kaviloHome: "/Users/u/<odd>&home" });
    expect(plist).toContain("<string>dev.kavilo.work</string>");
    expect(plist).toContain("<string>/usr/lib/kavilo/bin/kavilo.js</string>\n    <string>start</string>");
    expect(plist).toContain("<string>/Users/u/&lt;odd&gt;&amp;home</string>");
    expect(plist).toContain("<key>RunAtLoad</key>");
  });

  it("uses node + script for a .js entry and the executable alone for a single binary", () => {
    const noSea = { isSea: false, realpath: (p: string) => p };
    expect(currentCommand("/usr/bin/node", "/x/bin/kavilo.js", noSea)).toEqual([
      "/usr/bin/node",
      "/x/bin/kavilo.js",
    ]);
    expect(currentCommand("/usr/local/bin/kavilo", "/usr/local/bin/kavilo", { isSea: true })).toEqual([
      "/usr/local/bin/kavilo",
    ]);
  });

  it("resolves a link named kavilo (npm link, global install) to the script it points at", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "kavilo-link-")));
    mkdirSync(join(dir, "lib", "bin"), { recursive: true });
    mkdirSync(join(dir, "bin"));
    const script = join(dir, "lib", "bin", "kavilo.js");
    writeFileSync(script, "");
    symlinkSync(script, join(dir, "bin", "kavilo"));
    const cmd = currentCommand("/usr/bin/node", join(dir, "bin", "kavilo"), { isSea: false });
    expect(cmd).toEqual(["/usr/bin/node", script]);
    expect(systemdUnit({ ...spec("/home/u"), command: cmd })).toContain(
      `ExecStart=/usr/bin/node ${script} start\n`,
    );
  });

  it("stops after the runtime's own limit and does not restart on exit 2 (already running, bad config)", () => {
    const unit = systemdUnit({ ...spec("/home/u"), stopTimeoutS: 22 });
    expect(unit).toContain("TimeoutStopSec=22\n");
    expect(unit).toContain("RestartPreventExitStatus=2\n");
  });
});

describe("kavilo service install / status / uninstall", () => {
  it("installs on Linux: writes the unit, reloads systemd and enables it now", async () => {
    const home = userHome();
    const { calls, run } = recorder(0);
    const out: string[] = [];
    const ok = await installService(spec(home), {
      platform: "linux",
      userHome: home,
      run,
      out: (l) => out.push(l),
    });
    expect(ok).toBe(true);
    const file = join(home, ".config", "systemd", "user", "kavilo.service");
    expect(readFileSync(file, "utf8")).toBe(systemdUnit(spec(home)));
    expect(calls).toEqual(["systemctl --user daemon-reload", "systemctl --user enable --now kavilo.service"]);
    expect(
      serviceStatus(spec(home), { platform: "linux", userHome: home, run, out: (l) => out.push(l) }),
    ).toBe(true);
    expect(out.join("\n")).toContain("active (running)");

    expect(
      await uninstallService(spec(home), { platform: "linux", userHome: home, run, out: () => {} }),
    ).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(calls.slice(-2)).toEqual([
      "systemctl --user disable --now kavilo.service",
      "systemctl --user daemon-reload",
    ]);
  });

  it("status exits non-zero with one line when systemctl reports the unit is not running", async () => {
    const home = userHome();
    await installService(spec(home), {
      platform: "linux",
      userHome: home,
      run: recorder(0).run,
      out: () => {},
    });
    const out: string[] = [];
    const ok = serviceStatus(spec(home), {
      platform: "linux",
      userHome: home,
      run: () => ({ status: 3, stdout: "inactive (dead)", stderr: "" }),
      out: (l) => out.push(l),
    });
    expect(ok).toBe(false);
    expect(out.at(-1)).toMatch(/systemctl --user status --no-pager kavilo.service` exited with 3/);
  });

  it("prints the commands to run when systemctl is not usable", async () => {
    const home = userHome();
    const out: string[] = [];
    const ok = await installService(spec(home, "work"), {
      platform: "linux",
      userHome: home,
      run: recorder(null).run,
      out: (l) => out.push(l),
    });
    expect(ok).toBe(false);
    expect(existsSync(join(home, ".config", "systemd", "user", "kavilo-work.service"))).toBe(true);
    expect(out).toContain("  systemctl --user enable --now kavilo-work.service");
  });

  it("installs a launch agent on macOS with launchctl load", async () => {
    const home = userHome();
    const { calls, run } = recorder(0);
    await installService(spec(home, "work"), { platform: "darwin", userHome: home, run, out: () => {} });
    const file = join(home, "Library", "LaunchAgents", "dev.kavilo.work.plist");
    expect(readFileSync(file, "utf8")).toContain("<key>KAVILO_HOME</key>");
    expect(calls).toEqual([`launchctl load -w ${file}`]);
  });

  it("says when nothing is installed, and refuses other platforms with one clear error", async () => {
    const home = userHome();
    const out: string[] = [];
    expect(
      serviceStatus(spec(home), {
        platform: "linux",
        userHome: home,
        run: recorder().run,
        out: (l) => out.push(l),
      }),
    ).toBe(false);
    expect(out[0]).toMatch(/not installed/);
    await expect(
      installService(spec(home), { platform: "win32", userHome: home, run: recorder().run, out: () => {} }),
    ).rejects.toThrow(/Linux \(systemd\) and macOS \(launchd\), not win32/);
  });
});
