#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with esbuild. Start-up is most of a short command's wall
// time, so the CLI ships as a few ESM chunks: the entry (with commander inlined) and one lazily
// imported chunk per subcommand. Runtime dependencies stay external and load only when used.
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const inline = new Set(["commander"]);
const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !inline.has(d));

rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  entryPoints: { "cli/main": join(root, "src/cli/main.ts") },
  outdir: join(root, "dist"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  external: [...external, ...external.map((d) => `${d}/*`)],
  define: { KAVILO_BUNDLED_VERSION: JSON.stringify(pkg.version) },
  chunkNames: "chunks/[name]-[hash]",
  // commander is CommonJS; give the ESM bundle a require() for its node: built-ins.
  banner: { js: "import { createRequire as __kCreateRequire } from 'node:module'; const require = __kCreateRequire(import.meta.url);" },
  jsx: "automatic",
  logLevel: "warning",
});
