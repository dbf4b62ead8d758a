import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a preload (`--import <hook>`) into `dir` that appends the URL of every file module Node
 * resolves to `<dir>/loaded.txt` (emptied here): what a CLI run loaded, for the lazy-load tests.
 */
export function writeLoadHook(dir: string): { hook: string; out: string } {
  const out = join(dir, "loaded.txt");
  const hook = join(dir, "hook.mjs");
  writeFileSync(
    hook,
    `import { registerHooks } from "node:module";
     import { appendFileSync } from "node:fs";
     registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); if (r.url.startsWith("file:")) appendFileSync(${JSON.stringify(out)}, r.url + "\\n"); return r; } });`,
  );
  writeFileSync(out, "");
  return { hook, out };
}
