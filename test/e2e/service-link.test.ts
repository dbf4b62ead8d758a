import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, tempHome } from "../helpers/cli.js";

describe("kavilo service install through a link named kavilo", () => {
  it("writes the real script path into ExecStart, and status fails when systemctl does", () => {
    const home = tempHome("kavilo-svc-");
    const bin = join(home, "npm", "bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(BIN, join(bin, "kavilo"));
    // A stand-in systemctl: records its arguments, never touches the real user manager.
    const fakeBin = join(home, "fakebin");
    mkdirSync(fakeBin);
    const log = join(home, "systemctl.log");
    writeFileSync(
      join(fakeBin, "systemctl"),
      `#!/bin/sh\necho "$@" >> "${log}"\ncase "$*" in *status*) echo "inactive (dead)"; exit 3;; esac\nexit 0\n`,
    );
    chmodSync(join(fakeBin, "systemctl"), 0o755);
    const env = cleanEnv(home, { PATH: `${fakeBin}:${dirname(process.execPath)}:/usr/bin:/bin` });
    const run = (cmd: string) =>
      spawnSync(process.execPath, [join(bin, "kavilo"), "service", cmd], {
        env,
        cwd: home,
        encoding: "utf8",
      });

    if (process.platform !== "linux") return;
    const install = run("install");
    expect(install.status, install.stderr).toBe(0);
    const unit = readFileSync(join(home, ".config", "systemd", "user", "kavilo.service"), "utf8");
    expect(unit).toContain(`ExecStart=${process.execPath} ${BIN} start\n`);
    // Default shutdownDeadlineS 10 + margin 5 + 5.
    expect(unit).toContain("TimeoutStopSec=20\n");
    expect(readFileSync(log, "utf8")).toContain("--user enable --now kavilo.service");

    const status = run("status");
    expect(status.status).not.toBe(0);
    expect(status.stdout).toMatch(/exited with 3: the service is not running/);
  });
});
