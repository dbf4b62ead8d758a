// `make bench`: every benchmark, each as a ratio against bare node measured in the same run.
import { BIN, benchEnv, ratioOf, report } from "./lib.js";

const only = process.argv[2];
const rows = [];
const env = benchEnv();

if (!only || only === "startup") {
  rows.push({ name: "kavilo --version", budget: 1.3, ...ratioOf([BIN, "--version"], env) });
  rows.push({ name: "kavilo --help", budget: 1.3, ...ratioOf([BIN, "--help"], env) });
}
for (const extra of ["agent", "mcp", "tui", "start"]) {
  if (only && only !== extra) continue;
  try {
    const mod = await import(`./${extra}.js`);
    rows.push(...(await mod.run()));
  } catch (err) {
    if (err.code !== "ERR_MODULE_NOT_FOUND") throw err;
  }
}
const failed = report(rows);
process.exitCode = failed && process.argv.includes("--check") ? 1 : 0;
