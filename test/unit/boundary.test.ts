import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempHome } from "../helpers/cli.js";

const BIOME = join(ROOT, "node_modules", ".bin", "biome");

/** Lints source files at their paths in a scratch project that has the repository's biome.json. */
function lint(files: Record<string, string>): string {
  const dir = tempHome("kavilo-boundary-");
  copyFileSync(join(ROOT, "biome.json"), join(dir, "biome.json"));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const r = spawnSync(BIOME, ["lint", "--max-diagnostics=200", ...Object.keys(files)], {
    cwd: dir,
    encoding: "utf8",
  });
  return `${r.stdout}${r.stderr}`;
}

/** How many of the diagnostics for `path` carry `message`. */
function count(out: string, path: string, message: string): number {
  return out.split(/\n(?=\S+\.tsx?:\d+:\d+ )/).filter((d) => d.startsWith(`${path}:`) && d.includes(message))
    .length;
}

const COMMANDS =
  "only the entries (src/cli/main.ts, src/cli/fast-agent.ts, src/cli/fast-serve.ts) and src/cli/commands/ import a command module";

describe("dependency rules (biome.json noRestrictedImports)", () => {
  it("core imports neither the UI, src/cli (the TUI included) nor src/channels", () => {
    const path = "src/core/agent/probe.ts";
    const out = lint({
      [path]: [
        'import { render } from "ink";',
        'import React from "react";',
        'import { main } from "../../cli/main.js";',
        'import { App } from "../../cli/tui/app.js";',
        'import { createTelegramChannel } from "../../channels/telegram/telegram-channel.js";',
        'export const all = [render, React, main, App, createTelegramChannel, import("../../cli/commands/status.js")];',
      ].join("\n"),
    });
    expect(count(out, path, "src/core must not import the UI (ink).")).toBe(1);
    expect(count(out, path, "src/core must not import the UI (react).")).toBe(1);
    expect(count(out, path, "src/core must not import src/cli.")).toBe(3);
    expect(count(out, path, "src/core must not import src/channels.")).toBe(1);
  });

  it("providers and auth import only core/base from core, and neither cli nor channels", () => {
    const source = (up: string) =>
      [
        `import { paths } from "${up}core/base/paths.js";`,
        `import type { Config } from "${up}core/base/config-types.js";`,
        `import type { Schema } from "${up}core/config/schema.js";`,
        `import { Agent } from "${up}core/agent/agent.js";`,
        `import { main } from "${up}cli/main.js";`,
        `import { slack } from "${up}channels/slack/slack-channel.js";`,
        "export const all = [paths, Agent, main, slack] as unknown as [Config, Schema];",
      ].join("\n");
    const files = { "src/providers/probe.ts": source("../"), "src/auth/codex/probe.ts": source("../../") };
    const out = lint(files);
    for (const path of Object.keys(files)) {
      // core/config/schema (a type-only import too) and core/agent; core/base/* passes.
      expect(count(out, path, "import only core's leaf helpers, src/core/base/**")).toBe(2);
      expect(count(out, path, "src/providers and src/auth must not import src/cli.")).toBe(1);
      expect(count(out, path, "src/providers and src/auth must not import src/channels.")).toBe(1);
    }
  });

  it("channels, mcp, refreshers and diagnostics never import src/cli", () => {
    const message = "src/channels, src/mcp, src/refreshers and src/diagnostics must not import src/cli.";
    const files = {
      "src/channels/slack/probe.ts": 'export { main } from "../../cli/main.js";\n',
      "src/mcp/servers/self/probe.ts": 'export { composeAgent } from "../../../cli/compose/agent.js";\n',
      "src/refreshers/probe.ts": 'export const ctx = () => import("../cli/context.js");\n',
      "src/diagnostics/probe.ts":
        'import status from "../cli/commands/status.js";\nexport const s = status;\n',
    };
    const out = lint(files);
    for (const path of Object.keys(files)) expect(count(out, path, message), path).toBe(1);
  });

  it("mcp, refreshers and diagnostics never import src/channels (shared Slack pieces live below both)", () => {
    const message = "src/mcp, src/refreshers and src/diagnostics must not import src/channels.";
    const files = {
      "src/mcp/servers/slack/probe.ts":
        'export const l = () => import("../../../channels/slack/slack-channel.js");\n',
      "src/refreshers/probe.ts": 'export { createSlackChannel } from "../channels/slack/slack-channel.js";\n',
      "src/diagnostics/probe.ts":
        'import { t } from "../channels/telegram/telegram-channel.js";\nexport const x = t;\n',
    };
    const out = lint(files);
    for (const path of Object.keys(files)) expect(count(out, path, message), path).toBe(1);
  });

  it("the TUI never imports src/channels or a command module", () => {
    const path = "src/cli/tui/probe.tsx";
    const out = lint({
      [path]: [
        'import { createSlackChannel } from "../../channels/slack/slack-channel.js";',
        'import { shortArgs } from "../commands/agent.js";',
        'import { composeAgent } from "../compose/agent.js";',
        "export const all = [createSlackChannel, shortArgs, composeAgent];",
      ].join("\n"),
    });
    expect(count(out, path, "the TUI (src/cli/tui) must not import src/channels.")).toBe(1);
    expect(count(out, path, COMMANDS)).toBe(1);
  });

  it("nothing outside src/cli/commands/ imports a command module, statically or lazily; the entries may", () => {
    const files = {
      "src/cli/compose/probe.ts":
        'import { selfDepsOf } from "../commands/mcp-serve.js";\nexport const s = selfDepsOf;\n',
      "src/cli/probe.ts": 'export const load = () => import("./commands/status.js");\n',
      "src/cli/main.ts": 'export const load = () => import("./commands/status.js");\n',
      "src/cli/fast-agent.ts": 'export { default } from "./commands/agent.js";\n',
      "src/cli/commands/probe.ts":
        'export { default } from "./status.js";\nexport { runTui } from "../tui/run-tui.js";\n',
    };
    const out = lint(files);
    expect(count(out, "src/cli/compose/probe.ts", COMMANDS)).toBe(1);
    expect(count(out, "src/cli/probe.ts", COMMANDS)).toBe(1);
    expect(out).not.toContain("src/cli/main.ts:");
    expect(out).not.toContain("src/cli/fast-agent.ts:");
    expect(out).not.toContain("src/cli/commands/probe.ts:");
  });

  it("the repository's own src/ passes every rule", () => {
    const r = spawnSync(BIOME, ["lint", "--max-diagnostics=500", "src"], { cwd: ROOT, encoding: "utf8" });
    const restricted = `${r.stdout}${r.stderr}`
      .split("\n")
      .filter((line) => line.includes("lint/style/noRestrictedImports"));
    expect(restricted).toEqual([]);
  });
});
