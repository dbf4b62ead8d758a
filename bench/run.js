// `make bench` / `node bench/run.js [group] [--check]`: every benchmark as a ratio measured in one run
// (alternating runs, median of BENCH_RUNS, quartiles shown), never an absolute time. The budgets:
//   startup  kavilo --version and --help ≤ 1.3× bare node
//   floors   kavilo agent -m ≤ 1.35× the openai SDK streaming one answer from the same instant fake;
//            kavilo mcp serve self until initialize ≤ 1.2× the MCP SDK's McpServer doing the same
//   start    kavilo start with both channels: idle ≤ 100 MB RSS; peak ≤ 180 MB over 1000 messages in
//            100 chats
// plus agent (loop overhead per turn), context (input tokens per turn) and tui (first frame).
// --check exits 1 when any budget is exceeded (CI does not run it: timings need a quiet machine).
import { existsSync } from "node:fs";
import { BIN, benchEnv, ratioOf, report } from "./lib.js";

const GROUPS = ["startup", "floors", "agent", "context", "tui", "start"];
const only = process.argv.slice(2).find((a) => !a.startsWith("--"));
if (only && !GROUPS.includes(only)) {
  process.stderr.write(`bench: unknown group ${only}; one of ${GROUPS.join(", ")}\n`);
  process.exit(2);
}
const rows = [];
for (const group of GROUPS) {
  if (only && only !== group) continue;
  if (group === "startup") {
    const env = benchEnv();
    rows.push({ name: "kavilo --version ÷ node", budget: 1.3, ...(await ratioOf([BIN, "--version"], env)) });
    rows.push({ name: "kavilo --help ÷ node", budget: 1.3, ...(await ratioOf([BIN, "--help"], env)) });
    continue;
  }
  const file = new URL(`./${group}.js`, import.meta.url);
  if (!existsSync(file)) continue;
  const mod = await import(file.href);
  rows.push(...(await mod.run()));
}
const failed = report(rows);
if (process.argv.includes("--check")) {
  process.stdout.write(failed ? `${failed} over budget\n` : "all within budget\n");
  process.exitCode = failed ? 1 : 0;
}
