import { readFileSync } from "node:fs";

declare const KAVILO_BUNDLED_VERSION: string | undefined;

let cached: string | undefined;

/**
 * kavilo's version, the one place it is read: `--version` (bin/kavilo.js loads the built copy,
 * dist/version.js), `kavilo version`, `status`, and the name kavilo gives itself as an MCP client
 * and server. The build compiles it in; from source it comes from package.json.
 */
export function kaviloVersion(): string {
  if (typeof KAVILO_BUNDLED_VERSION === "string") return KAVILO_BUNDLED_VERSION;
  cached ??= (
    JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return cached;
}
