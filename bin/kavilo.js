#!/usr/bin/env node
import module from "node:module";

// Cache compiled code between runs: start-up is most of a one-shot's wall time.
module.enableCompileCache?.();
const { main } = await import("../dist/cli/main.js");
await main();
