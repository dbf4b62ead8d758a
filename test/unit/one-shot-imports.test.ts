import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

/** The static imports of a source file (`import ... from "x"` and `export ... from "x"`, types left out). */
function staticImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

// Modules every `agent -m` loads. zod costs ~11 ms to load and more to build schemas, and an ES
// module namespace of a built-in runs each export's getter (node:crypto's webcrypto among them):
// these modules check their few fields by hand, and take node:crypto and node:child_process from
// process.getBuiltinModule where they use them. The e2e counterpart (lazy-load-agent.test.ts)
// checks what the built CLI loads.
const ONE_SHOT_MODULES = [
  "src/core/session/session-store.ts",
  "src/core/memory/memory-state.ts",
  "src/core/context/context-keeper.ts",
  "src/core/base/atomic-file.ts",
  "src/core/base/file-lock.ts",
  "src/core/base/process-identity.ts",
  "src/core/skills/builtin-dir.ts",
  "src/core/skills/discover.ts",
  "src/providers/responses-input.ts",
  "src/auth/claude/login-file.ts",
  "src/cli/compose/claude-login.ts",
  "src/cli/compose/provider.ts",
  "src/cli/terminal-approval.ts",
  "src/cli/commands/agent.ts",
];

describe("the one-shot path's own modules", () => {
  it("import neither zod, node:crypto, node:child_process nor node:readline/promises at load", () => {
    // The reading of imports works (a value import it must see).
    expect(staticImports("src/core/session/session-store.ts")).toContain("node:path");
    for (const file of ONE_SHOT_MODULES) {
      expect(
        staticImports(file).filter(
          (m) =>
            m === "zod" ||
            m.startsWith("zod/") ||
            m === "node:crypto" ||
            m === "node:child_process" ||
            m === "node:readline/promises",
        ),
        file,
      ).toEqual([]);
    }
  });

  it("reach the Claude login's token parser and OAuth client only through a dynamic import", () => {
    for (const file of ["src/cli/compose/claude-login.ts", "src/cli/compose/provider.ts"]) {
      expect(
        staticImports(file).filter((m) => /auth\/claude\/(credentials|token-file|oauth-client)\.js$/.test(m)),
        file,
      ).toEqual([]);
    }
    expect(staticImports("src/core/context/context-keeper.ts")).not.toContain("../memory/consolidate.js");
  });
});
