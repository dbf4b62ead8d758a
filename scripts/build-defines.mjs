// What both builds (scripts/build.mjs for dist/, scripts/build-binary.mjs for the single binary)
// compile in: the version, the build id the validated-config cache trusts, and the tool catalog.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { computeToolCatalog } from "./tool-catalog.mjs";

/**
 * The validated-config cache (src/core/config/build-id.ts) trusts only what this very build
 * validated: its id is a hash of the sources and the locked dependencies.
 */
async function buildIdOf(root) {
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256").update(readFileSync(join(root, "package.json")));
  if (existsSync(join(root, "package-lock.json"))) hash.update(readFileSync(join(root, "package-lock.json")));
  for (const f of readdirSync(join(root, "src"), { recursive: true }).sort()) {
    const file = join(root, "src", f);
    if (statSync(file).isFile()) hash.update(`\0${f}\0`).update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 20);
}

/**
 * esbuild `define`s for a build of the sources under `root`, and the tool catalog's JSON. The
 * catalog (the built-in and self tools' names, descriptions and JSON Schemas) is compiled in as a
 * string literal, parsed where it is read: listing those tools to the model loads none of their
 * modules.
 */
export async function buildDefines(root, pkg) {
  const toolCatalog = JSON.stringify(await computeToolCatalog(root));
  return {
    toolCatalog,
    define: {
      KAVILO_BUNDLED_VERSION: JSON.stringify(pkg.version),
      KAVILO_BUILD_ID: JSON.stringify(await buildIdOf(root)),
      KAVILO_TOOL_CATALOG: JSON.stringify(toolCatalog),
    },
  };
}
