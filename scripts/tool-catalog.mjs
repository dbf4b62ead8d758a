// The tool catalog: what the model is told about the built-in and self tools (name, description,
// capabilities, JSON Schema), computed from their real factories at build time. scripts/build.mjs
// compiles it in (KAVILO_TOOL_CATALOG), so listing those tools loads none of their modules (nor zod)
// at run time; src/core/tools/builtin-catalog.ts and src/mcp/servers/self/self-catalog.ts read it.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

/**
 * `{ builtin, self }`, from the sources under `root`: bundled to a scratch file and run. The scratch
 * folder is in `root`'s dist/ (ignored by git and the linter), so the bundle's packages resolve from
 * its node_modules.
 */
export async function computeToolCatalog(root) {
  mkdirSync(join(root, "dist"), { recursive: true });
  const dir = mkdtempSync(join(root, "dist", ".tool-catalog-"));
  try {
    const outfile = join(dir, "catalog.mjs");
    await build({
      stdin: {
        contents: [
          'export { liveBuiltinCatalog } from "./src/core/tools/builtin-catalog-live.ts";',
          'export { liveSelfCatalog } from "./src/mcp/servers/self/self-catalog-live.ts";',
        ].join("\n"),
        resolveDir: root,
        loader: "ts",
      },
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node22",
      packages: "external",
      logLevel: "warning",
    });
    const { liveBuiltinCatalog, liveSelfCatalog } = await import(pathToFileURL(outfile).href);
    return { builtin: liveBuiltinCatalog(), self: liveSelfCatalog() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
