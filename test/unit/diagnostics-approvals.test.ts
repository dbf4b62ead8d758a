import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/core/config/schema.js";
import { allowsAnything } from "../../src/core/tools/approval.js";
import { approvalCheck } from "../../src/diagnostics/approvals.js";

const configOf = (raw: unknown) => configSchema.parse(raw);

describe("approvals diagnostics check", () => {
  it("unset: each front-end's default (ask in the TUI and start, auto in agent -m), a value with no warning", () => {
    const c = approvalCheck(configOf({ tools: { exec: { allow: ["git status*"] } } }));
    expect(c).toMatchObject({ id: "tools.approval", area: "tools", status: "ok" });
    expect(c.data).toEqual({
      configured: null,
      tui: "ask",
      start: "ask",
      oneShot: "auto",
      timeoutS: 300,
      execAllow: ["git status*"],
    });
  });

  it("warns when chats run with auto: anyone in allowFrom can run any command", () => {
    const c = approvalCheck(
      configOf({
        channels: { telegram: { enabled: true, token: "1:x", allowFrom: ["*"] } },
        tools: { approval: { mode: "auto" } },
      }),
    );
    expect(c.status).toBe("warn");
    expect(c.summary).toContain("auto with telegram on");
    expect(c.fix).toContain("tools.approval.mode ask");
    expect(approvalCheck(configOf({ tools: { approval: { mode: "auto" } } })).status).toBe("ok");
  });

  it("warns about an allow pattern that lets every command through (`*`, `bash*`, `sudo*`)", () => {
    const c = approvalCheck(configOf({ tools: { exec: { allow: ["ls*", "bash*"] } } }));
    expect(c.status).toBe("warn");
    expect(c.summary).toContain('"bash*"');
    for (const p of ["*", "bash*", "sudo*", "python3*", "sh", "/bin/sh*"])
      expect(allowsAnything(p), p).toBe(true);
    for (const p of ["ls*", "git status*", "python3 -m pytest*", "npm test"]) {
      expect(allowsAnything(p), p).toBe(false);
    }
  });
});
