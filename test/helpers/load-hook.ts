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
