#!/usr/bin/env node
// Builds the single executable described by pkg.config.json with Node's SEA support.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { build } from "esbuild";
import { buildDefines } from "./build-defines.mjs";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const cfg = JSON.parse(readFileSync(join(root, "pkg.config.json"), "utf8"));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const outDir = join(root, cfg.outDir);
mkdirSync(outDir, { recursive: true });
const bundle = join(outDir, `${cfg.name}.cjs`);

// Modules left out of the binary are replaced by one that fails with a clear message when used.
const stubs = Object.entries(cfg.stubModules ?? {}).map(([file, message]) => [
  resolve(root, file).replace(/\.tsx?$/, ""),
  message,
]);
const stubPlugin = {
  name: "stub-modules",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!args.path.startsWith(".")) return undefined;
      const target = resolve(args.resolveDir, args.path).replace(/\.(js|tsx?)$/, "");
      const hit = stubs.find(([file]) => file === target);
      return hit ? { path: target, namespace: "stub", pluginData: hit[1] } : undefined;
    });
    // An ES module with the same function exports as the real file, each failing with the message
    // (exit 2): a CommonJS Proxy would lose its keys in esbuild's ESM interop.
    b.onLoad({ filter: /.*/, namespace: "stub" }, (args) => {
      const source = readdirSync(dirname(args.path))
        .filter((f) => f.replace(/\.tsx?$/, "") === args.path.split(sep).at(-1))
        .map((f) => readFileSync(join(dirname(args.path), f), "utf8"))
        .join("\n");
      const names = [...source.matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1]);
      return {
        contents: `import { CliError } from ${JSON.stringify(join(root, "src/cli/errors.ts"))};
const fail = async () => { throw new CliError(${JSON.stringify(args.pluginData)}, 2); };
${names.map((n) => `export const ${n} = fail;`).join("\n")}`,
        loader: "js",
        resolveDir: root,
      };
    });
  },
};

await build({
  entryPoints: [join(root, cfg.entry)],
  outfile: bundle,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node24",
  // The version, the config cache's build id and the tool catalog, as in dist/.
  define: (await buildDefines(root, pkg)).define,
  // node-cron's ES build resolves a file from import.meta.url at load, which CommonJS leaves empty;
  // its CommonJS build uses __filename instead.
  alias: { "node-cron": "./node_modules/node-cron/dist/node-cron.cjs" },
  // node-fetch (under grammy) accepts a signal only if its class is named AbortSignal.
  keepNames: true,
  plugins: [stubPlugin],
  logLevel: "warning",
  logOverride: { "empty-import-meta": "silent" },
});

// The built-in skills ride along as assets (src/core/skills/builtin-dir.ts writes them out on first use).
const skillFiles = readdirSync(join(root, "skills"), { recursive: true })
  .map(String)
  .filter((f) => statSync(join(root, "skills", f)).isFile())
  .map((f) => `skills/${f.split(sep).join("/")}`)
  .sort();
const skillsIndex = join(outDir, "skills-index.json");
writeFileSync(skillsIndex, JSON.stringify(skillFiles));
const assets = Object.fromEntries([
  ["skills/index.json", skillsIndex],
  ...skillFiles.map((f) => [f, join(root, f)]),
]);

const blob = join(outDir, "sea-prep.blob");
const seaConfig = join(outDir, "sea-config.json");
writeFileSync(
  seaConfig,
  JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: cfg.useCodeCache,
    assets,
  }),
);
execFileSync(process.execPath, ["--experimental-sea-config", seaConfig], { stdio: "inherit" });

const output = join(root, cfg.output);
copyFileSync(join(root, cfg.nodeBinary), output);
chmodSync(output, 0o755);
execFileSync(
  process.execPath,
  [
    join(root, "node_modules/postject/dist/cli.js"),
    output,
    "NODE_SEA_BLOB",
    blob,
    "--sentinel-fuse",
    "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
  ],
  { stdio: "inherit" },
);
process.stdout.write(`built ${output}\n`);
