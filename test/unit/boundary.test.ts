import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempHome } from "../helpers/cli.js";

const BIOME = join(ROOT, "node_modules", ".bin", "biome");

/** Lints source text as a file at `path` of a scratch project that has the repository's biome.json. */
function lint(path: string, source: string): string {
  const dir = tempHome("kavilo-boundary-");
  copyFileSync(join(ROOT, "biome.json"), join(dir, "biome.json"));
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), source);
  const r = spawnSync(BIOME, ["lint", "--max-diagnostics=50", path], { cwd: dir, encoding: "utf8" });
  return `${r.stdout}${r.stderr}`;
}

describe("the core boundary rule (biome.json)", () => {
  it("refuses ink, react, src/cli and src/channels imports inside src/core", () => {
    const out = lint(
      "src/core/agent/probe.ts",
      [
        'import { render } from "ink";',
        'import React from "react";',
        'import { main } from "../../cli/main.js";',
        'import { createTelegramChannel } from "../../channels/telegram/telegram-channel.js";',
        "export const all = [render, React, main, createTelegramChannel];",
      ].join("\n"),
    );
    expect(out).toContain("src/core must not import the UI (ink).");
    expect(out).toContain("src/core must not import the UI (react).");
    expect(out).toContain("src/core must not import src/cli.");
    expect(out).toContain("src/core must not import src/channels.");
  });

  it("allows the same imports outside src/core", () => {
    const out = lint("src/cli/probe.ts", 'import { render } from "ink";\nexport const r = render;\n');
    expect(out).not.toContain("must not import");
  });
});
