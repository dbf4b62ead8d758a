// The fast path's build (dist/fast/: `agent -m` and `mcp serve`, entry src/cli/fast.ts), with
// Rolldown rather than esbuild. Node pays ~0.3 ms for every ES module file it loads, and esbuild cuts
// chunks per set of entry points sharing a module, with no say in it: the one-shot's ~100 modules
// landed in ~37 small chunks. Rolldown's manual groups put what each command always loads (the
// static import closure of src/cli/fast-agent.ts, of src/cli/fast-serve.ts, and what the two share,
// less what the entry src/cli/fast.ts imports itself) into one chunk each; what they load on demand
// (tools, SDKs, the TUI) stays in chunks of its own.
// Each module still exists once in the build: the groups decide files, not semantics.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { rolldown } from "rolldown";

const COMMANDS = {
  entry: "src/cli/fast.ts",
  oneshot: "src/cli/fast-agent.ts",
  serve: "src/cli/fast-serve.ts",
};

/** The modules each command module reaches through static imports (its own code included). */
function closuresPlugin(root, closures) {
  return {
    name: "kavilo-static-closures",
    buildEnd() {
      for (const [name, entry] of Object.entries(COMMANDS)) {
        const seen = new Set();
        const stack = [join(root, entry)];
        while (stack.length > 0) {
          const id = stack.pop();
          if (seen.has(id)) continue;
          seen.add(id);
          for (const dep of this.getModuleInfo(id)?.importedIds ?? []) stack.push(dep);
        }
        // A renamed command module would leave its group empty, silently: fail the build instead.
        if (name !== "entry" && seen.size < 10)
          throw new Error(`build-fast: ${entry} reaches only ${seen.size} modules`);
        closures[name] = seen;
      }
    },
  };
}

/**
 * Builds dist/fast/ from the sources under `root`. `define` and `external` are the main build's;
 * `banner` gives the ES modules a `require` for CommonJS packages' built-ins.
 */
export async function buildFast(root, { define, external, banner }) {
  const closures = {};
  // What the entry itself imports (the argument parser, invoke.ts) stays with it: every command
  // that falls back to the program loads the entry, and no more.
  const ours = (id) => !id.includes("/node_modules/") && !closures.entry.has(id);
  const inOneshot = (id) => closures.oneshot.has(id) && ours(id);
  const inServe = (id) => closures.serve.has(id) && ours(id);
  rmSync(join(root, "dist/fast"), { recursive: true, force: true });
  const bundle = await rolldown({
    input: { fast: join(root, "src/cli/fast.ts") },
    cwd: root,
    platform: "node",
    // The entry's exports are the fast path's own (fastMain): a chunk may add to them.
    preserveEntrySignatures: "allow-extension",
    external: (id) =>
      id.startsWith("node:") || external.some((pkg) => id === pkg || id.startsWith(`${pkg}/`)),
    transform: { define, jsx: "react-jsx", target: "node22" },
    plugins: [closuresPlugin(root, closures)],
    // "dynamically imported but also statically imported": expected where a module is lazy for the
    // program and static on the fast path (the context's modules).
    onLog: (level, log, handler) => {
      if (log.code === "INEFFECTIVE_DYNAMIC_IMPORT") return;
      handler(level, log);
    },
  });
  await bundle.write({
    dir: join(root, "dist/fast"),
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
    banner,
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
    codeSplitting: {
      groups: [
        { name: "shared", test: (id) => inOneshot(id) && inServe(id), priority: 3 },
        { name: "oneshot", test: inOneshot, priority: 2 },
        { name: "serve", test: inServe, priority: 1 },
      ],
      includeDependenciesRecursively: false,
    },
  });
  await bundle.close();
}
