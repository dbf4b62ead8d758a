import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import {
  APPROVAL_TIMED_OUT,
  type ApprovalDecision,
  type ApprovalRequest,
  type Interaction,
} from "../../src/core/agent/interaction.js";
import {
  type ApprovalSettings,
  commandAllowed,
  riskOf,
  shownAsIs,
  suggestPattern,
} from "../../src/core/tools/approval.js";
import { createApprovalGate } from "../../src/core/tools/approval-gate.js";
import { ToolRegistry } from "../../src/core/tools/registry.js";
import { defineTool } from "../../src/core/tools/types.js";

let dir: string;
let workspace: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "kavilo-approval-")));
  workspace = join(dir, "ws");
  await import("node:fs/promises").then((fs) => fs.mkdir(workspace));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const runs: string[] = [];
const shell = defineTool({
  name: "shell",
  description: "fake shell",
  parameters: z.object({ command: z.string() }),
  capabilities: { sideEffect: true },
  async run(args) {
    runs.push(args.command);
    return `ran ${args.command}`;
  },
});

function settings(over: Partial<ApprovalSettings> = {}): ApprovalSettings {
  return { mode: "ask", timeoutS: 300, execAllow: ["git status*", "ls*"], writeAllow: [], ...over };
}

function asker(answer: (req: ApprovalRequest, signal: AbortSignal) => Promise<ApprovalDecision>) {
  const asked: ApprovalRequest[] = [];
  const interaction: Interaction = {
    approve: (req, signal) => {
      asked.push(req);
      return answer(req, signal);
    },
  };
  return { asked, interaction };
}

function registryWith(s: ApprovalSettings, configFile?: string, lines: string[] = []) {
  const registry = new ToolRegistry([shell]);
  registry.setGate(
    createApprovalGate({
      settings: () => s,
      log: (l) => lines.push(l),
      ...(configFile ? { configFile } : {}),
    }),
  );
  return registry;
}

const call = (command: string) => ({ id: "c1", name: "shell", args: { command } });
const ctxOf = (interaction?: Interaction, signal = new AbortController().signal) => ({
  workspace,
  restrictToWorkspace: true,
  signal,
  sessionKey: "telegram:1",
  ...(interaction ? { interaction } : {}),
});

describe("approval policy", () => {
  it("matches tools.exec.allow globs, but never a command that chains or redirects", () => {
    expect(commandAllowed("git status --short", ["git status*"])).toBe(true);
    expect(commandAllowed("ls -la", ["ls*"])).toBe(true);
    expect(commandAllowed("rm -rf build", ["git status*", "ls*"])).toBe(false);
    for (const sneaky of [
      "git status; rm -rf ~",
      "ls && rm x",
      "ls | sh",
      "ls `rm x`",
      "ls $(rm x)",
      "ls > f",
      "ls\nrm x",
    ]) {
      expect(commandAllowed(sneaky, ["git status*", "ls*"]), sneaky).toBe(false);
    }
  });

  it("suggests the program and its subcommand as the pattern to allow always", () => {
    expect(suggestPattern("git status --short")).toBe("git status*");
    expect(suggestPattern("ls -la")).toBe("ls*");
    expect(suggestPattern("rm -rf build; ls")).toBeUndefined();
  });

  it("matches patterns case-sensitively: `ls*` does not allow `LS`, nor a write allow-list another case", async () => {
    expect(commandAllowed("LS -la", ["ls*"])).toBe(false);
    expect(commandAllowed("Git status", ["git status*"])).toBe(false);
    const s = { execAllow: [], writeAllow: [`${join(dir, "notes")}/*`] };
    const ctx = { workspace, restrictToWorkspace: false };
    expect(await riskOf("write_file", { path: join(dir, "notes", "a.md") }, s, ctx)).toBeUndefined();
    expect(await riskOf("write_file", { path: join(dir, "NOTES", "a.md") }, s, ctx)).toBeDefined();
  });

  it("offers no Allow-always pattern for a program that runs other programs, an env prefix or git options", () => {
    for (const cmd of [
      "bash -c 'rm -rf ~'",
      "sh -c ls",
      "/bin/sh -c ls",
      "sudo rm -rf /",
      "env rm x",
      "FOO=1 rm x",
      "python3 -c 'import os'",
      "node -e 1",
      "xargs rm",
      "find . -delete",
      "git -c alias.x=!sh x",
    ]) {
      expect(suggestPattern(cmd), cmd).toBeUndefined();
    }
    expect(suggestPattern("git log --oneline")).toBe("git log*");
  });

  it("quotes a command so that control, bidi and zero-width characters cannot hide what runs", async () => {
    const sneaky = "rm -rf ~ #\r\u001b[2Kls -la\u202e";
    const req = await riskOf(
      "shell",
      { command: sneaky },
      { execAllow: [], writeAllow: [] },
      {
        workspace,
        restrictToWorkspace: true,
      },
    );
    expect(req?.summary).toBe("rm -rf ~ #\\x0d\\x1b[2Kls -la\\u202e");
    expect(req?.pattern).toBeUndefined();
    expect(shownAsIs("ls -la\n\tx")).toBe("ls -la\n\tx");
    expect(shownAsIs("a\u200bb")).toBe("a\\u200bb");
  });

  it("asks about a write whose path leads outside through `..` or a symlink in the workspace", async () => {
    const { mkdir, symlink } = await import("node:fs/promises");
    await mkdir(join(dir, "outside"));
    await symlink(join(dir, "outside"), join(workspace, "link"));
    const s = { execAllow: [], writeAllow: [] };
    const ctx = { workspace, restrictToWorkspace: false };
    for (const path of ["link/x.txt", "sub/../../outside/x.txt", join(workspace, "link", "new", "y.txt")]) {
      expect((await riskOf("write_file", { path }, s, ctx))?.summary, path).toMatch(
        new RegExp(`^write ${join(dir, "outside")}/`),
      );
    }
    expect(await riskOf("edit_file", { path: "sub/../inside.txt" }, s, ctx)).toBeUndefined();
  });

  it("asks about a write to kavilo's config.json even when the workspace holds it", async () => {
    const s = { execAllow: [], writeAllow: [] };
    const ctx = { workspace, restrictToWorkspace: true, guarded: [join(workspace, "config.json")] };
    expect((await riskOf("edit_file", { path: "config.json" }, s, ctx))?.summary).toBe(
      `edit ${join(workspace, "config.json")} (kavilo's config, where approvals are set)`,
    );
    expect(await riskOf("write_file", { path: "other.json" }, s, ctx)).toBeUndefined();
  });

  it("asks about a write into .git even inside the workspace (core.fsmonitor would make `git status*` run anything)", async () => {
    const s = { execAllow: ["git status*"], writeAllow: [] };
    for (const restrictToWorkspace of [true, false]) {
      const ctx = { workspace, restrictToWorkspace };
      const req = await riskOf("write_file", { path: ".git/config" }, s, ctx);
      expect(req?.summary).toBe(
        `write ${join(workspace, ".git", "config")} (git's config and hooks can run commands)`,
      );
      // Asked each time: an "Allow always" for .git/* would undo the question.
      expect(req?.pattern).toBeUndefined();
      expect(await riskOf("edit_file", { path: "repo/.git/hooks/pre-commit" }, s, ctx)).toBeDefined();
      expect(await riskOf("write_file", { path: "src/.gitignore" }, s, ctx)).toBeUndefined();
    }
  });

  it("asks about writes outside the workspace (when not restricted) unless writeAllow covers them", async () => {
    const s = { execAllow: [], writeAllow: [join(dir, "notes")] };
    const ctx = { workspace, restrictToWorkspace: false };
    expect(await riskOf("write_file", { path: "a.txt" }, s, ctx)).toBeUndefined();
    expect(await riskOf("write_file", { path: join(dir, "notes", "x.md") }, s, ctx)).toBeUndefined();
    expect(await riskOf("write_file", { path: "../other.txt" }, s, ctx)).toMatchObject({
      tool: "write_file",
      summary: `write ${join(dir, "other.txt")}`,
    });
    // Restricted: the tool refuses by itself, so nothing is asked.
    expect(
      await riskOf("write_file", { path: "../other.txt" }, s, { ...ctx, restrictToWorkspace: true }),
    ).toBeUndefined();
    expect(await riskOf("read_file", { path: "/etc/passwd" }, s, ctx)).toBeUndefined();
  });
});

describe("approval gate in the registry", () => {
  beforeEach(() => {
    runs.length = 0;
  });

  it("runs allow-listed commands without asking, asks for the rest, and keeps who decided", async () => {
    const { asked, interaction } = asker(async () => ({ allow: true, by: "telegram:42" }));
    const lines: string[] = [];
    const registry = registryWith(settings(), undefined, lines);
    const listed = await registry.execute(call("git status"), ctxOf(interaction));
    expect(listed).toMatchObject({ content: "ran git status", isError: false });
    expect(listed.approval).toBeUndefined();
    expect(asked).toHaveLength(0);

    const risky = await registry.execute(call("rm -rf build"), ctxOf(interaction));
    expect(asked).toEqual([{ tool: "shell", summary: "rm -rf build", pattern: "rm*" }]);
    expect(risky).toMatchObject({
      content: "ran rm -rf build",
      approval: { decision: "allowed", how: "once", by: "telegram:42", summary: "rm -rf build" },
    });
    expect(lines.join("\n")).toContain(
      'approval: shell "rm -rf build" allowed (once by telegram:42) in telegram:1',
    );
  });

  it("a deny is a tool result for the model and the command never runs", async () => {
    const { interaction } = asker(async () => ({ allow: false, reason: "not now", by: "slack:U1" }));
    const res = await registryWith(settings()).execute(call("rm -rf build"), ctxOf(interaction));
    expect(runs).toEqual([]);
    expect(res.isError).toBe(true);
    expect(res.content).toContain("the user denied this shell command (not now)");
    expect(res.approval).toMatchObject({ decision: "denied", how: "user", by: "slack:U1" });
  });

  it("no answer within timeoutS is a deny, and the front-end's signal is aborted", async () => {
    let aborted: unknown = false;
    const { interaction } = asker(
      (_req, signal) =>
        new Promise(() => {
          signal.addEventListener("abort", () => {
            aborted = signal.reason;
          });
        }),
    );
    const res = await registryWith(settings({ timeoutS: 0.05 })).execute(
      call("rm -rf build"),
      ctxOf(interaction),
    );
    expect(runs).toEqual([]);
    // The reason tells the front-end it timed out (not stopped), for what it shows in place of the question.
    expect(aborted).toBe(APPROVAL_TIMED_OUT);
    expect(res.content).toContain("nobody answered within 0.05 s (tools.approval.timeoutS)");
    expect(res.approval).toMatchObject({ decision: "denied", how: "timeout" });
  });

  it("a timeoutS past setTimeout's range (~24.8 days) waits for the answer instead of denying at once", async () => {
    const { interaction } = asker(
      () => new Promise((resolve) => setTimeout(() => resolve({ allow: true, by: "tui" }), 30)),
    );
    const res = await registryWith(settings({ timeoutS: 10_000_000 })).execute(
      call("touch later"),
      ctxOf(interaction),
    );
    expect(res.approval).toMatchObject({ decision: "allowed", how: "once" });
  });

  it("deny-risky refuses without asking; auto runs everything", async () => {
    const { asked, interaction } = asker(async () => ({ allow: true }));
    const denied = await registryWith(settings({ mode: "deny-risky" })).execute(
      call("rm -rf x"),
      ctxOf(interaction),
    );
    expect(denied.content).toContain("tools.approval.mode is deny-risky");
    expect(
      (await registryWith(settings({ mode: "deny-risky" })).execute(call("ls"), ctxOf(interaction))).isError,
    ).toBe(false);
    expect(
      (await registryWith(settings({ mode: "auto" })).execute(call("rm -rf x"), ctxOf(interaction))).isError,
    ).toBe(false);
    expect(asked).toHaveLength(0);
    expect(runs).toEqual(["ls", "rm -rf x"]);
  });

  it("mode unset: the front-end's default applies; nobody to ask under ask denies with the front-end's hint", async () => {
    const { asked, interaction } = asker(async () => ({ allow: true }));
    const unset = settings({ mode: undefined });
    const gate = (defaultMode?: "ask" | "auto") => {
      const registry = new ToolRegistry([shell]);
      registry.setGate(
        createApprovalGate({ settings: () => unset, log: () => {}, ...(defaultMode ? { defaultMode } : {}) }),
      );
      return registry;
    };
    await gate("ask").execute(call("rm a"), ctxOf(interaction));
    expect(asked).toHaveLength(1);
    expect((await gate().execute(call("rm b"), ctxOf(interaction))).isError).toBe(false);
    expect(asked).toHaveLength(1);
    const headless = { cannotAsk: "agent -m has no terminal to ask: run it again with --yes" };
    const denied = await registryWith(settings()).execute(call("rm c"), ctxOf(headless));
    expect(denied.content).toBe(
      "Not run: this shell command needs approval (tools.approval), and agent -m has no terminal to ask: run it again with --yes.",
    );
    const cron = await gate("ask").execute(call("rm d"), ctxOf());
    expect(cron.content).toContain("nobody can be asked in this turn (a cron job or heartbeat)");
    expect(runs).toEqual(["rm a", "rm b"]);
  });

  it("Allow always saves the pattern to config.json and stops asking for it", async () => {
    const configFile = join(dir, "config.json");
    await writeFile(configFile, JSON.stringify({ tools: { exec: { allow: ["ls*"] } } }));
    const { asked, interaction } = asker(async () => ({ allow: true, always: true, by: "tui" }));
    const registry = registryWith(settings(), configFile);
    const first = await registry.execute(call("npm test --silent"), ctxOf(interaction));
    expect(first.approval).toMatchObject({ how: "always", pattern: "npm test*", by: "tui" });
    await registry.execute(call("npm test"), ctxOf(interaction));
    expect(asked).toHaveLength(1);
    const saved = JSON.parse(await readFile(configFile, "utf8"));
    expect(saved.tools.exec.allow).toEqual(["ls*", "npm test*"]);
  });

  it("the gate guards the config.json it saves to: a write there asks even inside the workspace", async () => {
    const configFile = join(workspace, "config.json");
    const writes: string[] = [];
    const writer = defineTool({
      name: "write_file",
      description: "fake write",
      parameters: z.object({ path: z.string(), content: z.string() }),
      capabilities: { sideEffect: true },
      async run(args) {
        writes.push(args.path);
        return "written";
      },
    });
    const registry = new ToolRegistry([writer]);
    registry.setGate(createApprovalGate({ settings: () => settings(), configFile, log: () => {} }));
    const { asked, interaction } = asker(async () => ({ allow: false, reason: "no" }));
    const args = { path: "config.json", content: '{"tools":{"approval":{"mode":"auto"}}}' };
    const res = await registry.execute({ id: "w", name: "write_file", args }, ctxOf(interaction));
    expect(asked).toHaveLength(1);
    expect(res.isError).toBe(true);
    expect(writes).toEqual([]);
    await registry.execute(
      { id: "w2", name: "write_file", args: { path: "notes.md", content: "x" } },
      ctxOf(interaction),
    );
    expect(writes).toEqual(["notes.md"]);
  });
});
