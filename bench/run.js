// `make bench`: every benchmark, each as a ratio against bare node measured in the same run.
import { existsSync } from "node:fs";
import { BIN, benchEnv, ratioOf, report } from "./lib.js";

const only = process.argv[2];
const rows = [];
const env = benchEnv();

if (!only || only === "startup") {
  rows.push({ name: "kavilo --version", budget: 1.3, ...ratioOf([BIN, "--version"], env) });
  rows.push({ name: "kavilo --help", budget: 1.3, ...ratioOf([BIN, "--help"], env) });
}
// `floors` (what the SDKs cost before any kavilo code) runs only when asked for by name.
for (const extra of ["agent", "context", "mcp", "tui", "start", "floors"]) {
  if (only ? only !== extra : extra === "floors") continue;
  const file = new URL(`./${extra}.js`, import.meta.url);
  if (!existsSync(file)) continue;
  const mod = await import(file.href);
  rows.push(...(await mod.run()));
}
const failed = report(rows);
process.exitCode = failed && process.argv.includes("--check") ? 1 : 0;
