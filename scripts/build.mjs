#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with esbuild. Start-up is most of a short command's wall
// time, so the CLI ships as ESM chunks: a small entry (commander inlined) and one lazily imported
// chunk per subcommand. Pure-JS dependencies on the one-shot path are bundled and tree-shaken
// (resolving and parsing hundreds of small files cost more than the answer); packages that load
// files or workers at run time stay external.
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";
import { buildDefines } from "./build-defines.mjs";
import { buildFast } from "./build-fast.mjs";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const keepExternal = new Set([
  "pino", // worker-thread transports load files by path
  "@slack/socket-mode",
  "@slack/web-api",
  "grammy",
  "node-cron",
  "open", // ships a shell script it executes
  "undici", // its CommonJS exports lose their shape when bundled behind a dynamic import
]);
const external = Object.keys(pkg.dependencies ?? {}).filter((d) => keepExternal.has(d));

rmSync(join(root, "dist"), { recursive: true, force: true });
// The version, the config cache's build id and the tool catalog (scripts/build-defines.mjs).
// dist/tool-catalog.json is the catalog again, for inspection and a test.
const { define, toolCatalog } = await buildDefines(root, pkg);
// Options both builds share.
const common = {
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  // ink loads react-devtools-core only with DEV=true.
  external: [...external, ...external.map((d) => `${d}/*`), "react-devtools-core"],
  define: { ...define, "process.env.NODE_ENV": '"production"' },
  chunkNames: "chunks/[name]-[hash]",
  // commander is CommonJS; give the ESM bundle a require() for its node: built-ins.
  banner: {
    js: "import { createRequire as __kCreateRequire } from 'node:module'; const require = __kCreateRequire(import.meta.url);",
  },
  jsx: "automatic",
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: "warning",
};
await build({
  ...common,
  // version.js: what bin/kavilo.js prints for --version without loading the CLI.
  entryPoints: { "cli/main": join(root, "src/cli/main.ts"), version: join(root, "src/core/base/version.ts") },
  outdir: join(root, "dist"),
});
// The fast path (`agent -m`, `mcp serve`: src/cli/fast.ts), which bin/kavilo.js tries first, is a
// build of its own (scripts/build-fast.mjs). Nothing is shared between the two builds: a process
// runs one or the other, so each module (its classes, its state) exists once in it. No keepNames
// there: esbuild's wraps every function and class of the bundle (the openai SDK alone has thousands)
// in a call that redefines its `name` at load, ~7% of the one-shot; nothing kavilo does reads a
// renamed function's or class's `name` (errors set theirs), and the SDKs' User-Agent keeps its class
// name (test/e2e/fast-path.test.ts checks both SDKs').
await buildFast(root, {
  define: common.define,
  external: common.external,
  banner: common.banner.js,
});

// The top-level help, as the program prints it, for bin/kavilo.js's fast path.
const { execFileSync } = await import("node:child_process");
const { writeFileSync } = await import("node:fs");
writeFileSync(join(root, "dist/tool-catalog.json"), `${toolCatalog}\n`);
// dist/ was emptied above, so bin/kavilo.js has no cached help yet and runs the real program.
const help = execFileSync(process.execPath, [join(root, "bin/kavilo.js"), "--help"], {
  env: { ...process.env, COLUMNS: "80" },
  encoding: "utf8",
});
writeFileSync(join(root, "dist/help.txt"), help);
// The version line, as dist/version.js gives it, for bin/kavilo.js's --version fast path.
const { kaviloVersion } = await import(new URL("../dist/version.js", import.meta.url).href);
writeFileSync(join(root, "dist/version.txt"), `${kaviloVersion()}\n`);
