import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./cli.js";

/**
 * Writes a preload (`--import <hook>`) into `dir` that appends the URL of every file module Node
 * resolves to `<dir>/<name>.txt` (emptied here): what a CLI run loaded, for the lazy-load tests.
 */
export function writeLoadHook(dir: string, name = "loaded"): { hook: string; out: string } {
  const out = join(dir, `${name}.txt`);
  const hook = join(dir, `${name}-hook.mjs`);
  writeFileSync(
    hook,
    `import { registerHooks } from "node:module";
     import { appendFileSync } from "node:fs";
     registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); if (r.url.startsWith("file:")) appendFileSync(${JSON.stringify(out)}, r.url + "\\n"); return r; } });`,
  );
  writeFileSync(out, "");
  return { hook, out };
}

/** The repository's files among what a load hook recorded in `out`, relative to the repository, once each. */
export function recordedProjectFiles(out: string): string[] {
  const root = `file://${ROOT}`.replace(/\/$/, "");
  return [
    ...new Set(
      readFileSync(out, "utf8")
        .split("\n")
        .filter((u) => u.startsWith(`${root}/`))
        .map((u) => u.slice(root.length + 1)),
    ),
  ];
}

/**
 * Whether bundled `text` defines the function, class or variable `name` (or the `name2`, `name3`
 * esbuild renames a colliding one to). Found by the definition itself, so it holds with and without
 * esbuild's keepNames (the fast path's build, dist/fast/, is built without it).
 */
export function definesName(text: string, name: string): boolean {
  const n = `${name}\\d*`;
  return new RegExp(
    `(?:\\bfunction\\*?\\s*${n}\\s*\\(|\\bclass\\s+${n}\\b|(?:\\bvar|\\blet|\\bconst|,)\\s*${n}\\s*=)`,
  ).test(text);
}

/**
 * Writes a preload into `dir` that records, when the process exits, the built-in modules Node loaded
 * (`process.moduleLoadList`, one per line) in `<dir>/<name>.txt`. It takes node:fs through
 * process.getBuiltinModule, so the record holds nothing the preload loaded itself.
 */
export function writeBuiltinsHook(dir: string, name = "builtins"): { hook: string; out: string } {
  const out = join(dir, `${name}.txt`);
  const hook = join(dir, `${name}-hook.mjs`);
  writeFileSync(
    hook,
    `process.on("exit", () => process.getBuiltinModule("node:fs").writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join("\\n")));`,
  );
  return { hook, out };
}
