#!/usr/bin/env node

// Before anything else: on an older Node (say a system Node 20 behind npm link's shim) the CLI's own
// imports fail with an error that names neither kavilo nor Node. Keep in step with "engines".
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `kavilo needs Node 22.19 or newer (this is Node ${process.versions.node}); install a current LTS, or run it with npx from a checkout\n`,
  );
  process.exit(2);
}

// Built-ins through process.getBuiltinModule, not `import`: an ESM import of node:fs builds its
// namespace from every export, and the `promises` getter loads fs/promises (~2 ms of every run).
const { existsSync, readFileSync } = process.getBuiltinModule("node:fs");
const module = process.getBuiltinModule("node:module");

// A checkout builds dist/ with `npm run build` (npm runs it only when packing): say so in one line.
// dist/fast/ is built after dist/cli/ (scripts/build.mjs), so its entry stands for both; a dist/ built
// before the fast path existed (a linked checkout pulled and not rebuilt) has only dist/cli/, and every
// command would fail below with a module-not-found trace.
if (!existsSync(new URL("../dist/fast/fast.js", import.meta.url))) {
  process.stderr.write("kavilo: dist/ is not built in this checkout: run npm run build (or make build)\n");
  process.exit(2);
}

// `kavilo --version` and `kavilo --help` are answered without loading the CLI: both outputs are
// fixed for a build (scripts/build.mjs writes dist/version.txt and dist/help.txt from the real program), and start-up
// is all of their wall time.
const args = process.argv.slice(2);
if (args.length === 1) {
  const [arg] = args;
  if (arg === "--version" || arg === "-V") {
    let line;
    try {
      // Written by the build from dist/version.js: a file read is cheaper than importing a module.
      line = readFileSync(new URL("../dist/version.txt", import.meta.url), "utf8");
    } catch {
      line = `${(await import("../dist/version.js")).kaviloVersion()}\n`;
    }
    process.stdout.write(line);
    process.exit(0);
  }
  if (arg === "--help" || arg === "-h") {
    try {
      process.stdout.write(readFileSync(new URL("../dist/help.txt", import.meta.url), "utf8"));
      process.exit(0);
    } catch {
      // no cached help (a dev build): fall through to the program
    }
  }
}

// `kavilo start` runs for days, and V8 sizes its heap for throughput: up to two 64 MB young-generation
// semi-spaces, and an old generation allowed to grow to 4x its live data between collections on a
// machine with a large heap limit. Under load that tripled start's resident memory for ~40 MB of live
// objects (docs/architecture.md, Performance). A 512 MB old-space limit makes V8 grow it by at most
// ~1.5x instead. V8 reads these only when a process starts, so start replaces itself once, in place
// (same pid, stdio and environment). Its start-up time does not matter. A size the user gave (on
// the command line or in NODE_OPTIONS) wins.
const START_V8_FLAGS = ["--max-semi-space-size=2", "--max-old-space-size=512"].filter((flag) => {
  const name = flag.slice(0, flag.indexOf("="));
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ").replaceAll("_", "-");
  return !given.includes(name);
});
if (subcommandOf(args) === "start" && START_V8_FLAGS.length > 0 && typeof process.execve === "function") {
  process.execve(
    process.execPath,
    [process.execPath, ...START_V8_FLAGS, ...process.execArgv, process.argv[1], ...args],
    process.env,
  );
}

/** The first argument that is not a global option (`-p/--profile <name>`, `-i/--instance <name>`, `--debug`). */
function subcommandOf(argv) {
  for (let i = 0; i < argv.length; i++) {
    if (["-p", "--profile", "-i", "--instance"].includes(argv[i])) i++;
    else if (!argv[i].startsWith("-")) return argv[i];
  }
  return undefined;
}

// Cache compiled code between runs: start-up is most of a one-shot's wall time.
module.enableCompileCache?.();
// `agent -m ...` and `mcp serve ...` skip commander (dist/fast/, a build of its own); anything else,
// or anything unusual about those two, goes to the full program.
const { fastMain } = await import("../dist/fast/fast.js");
if (!(await fastMain(process.argv))) {
  const { main } = await import("../dist/cli/main.js");
  await main();
}
