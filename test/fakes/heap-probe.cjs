// Preloaded into a kavilo process under test (NODE_OPTIONS="--expose-gc --require ..."): on SIGUSR2
// it collects garbage and writes the heap in use to $KAVILO_TEST_HEAP_OUT, so a test can tell a
// leak from a heap that simply has not been collected yet.
const { writeFileSync, renameSync } = require("node:fs");

process.on("SIGUSR2", () => {
  globalThis.gc();
  globalThis.gc();
  const out = process.env.KAVILO_TEST_HEAP_OUT;
  writeFileSync(`${out}.tmp`, String(process.memoryUsage().heapUsed));
  renameSync(`${out}.tmp`, out);
});
