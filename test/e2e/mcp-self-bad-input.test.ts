import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, cleanEnv, ROOT, tempHome } from "../helpers/cli.js";

interface Reply {
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string };
}

/** `kavilo mcp serve self` driven with raw bytes on stdin, replies read line by line from stdout. */
class RawServer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly replies: Reply[] = [];
  stderr = "";
  private partial = "";
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(extraEnv: Record<string, string> = {}) {
    const home = tempHome("kavilo-mcp-raw-");
    this.child = spawn(process.execPath, [BIN, "mcp", "serve", "self"], {
      env: cleanEnv(home, extraEnv),
      cwd: home,
    });
    this.child.stdout.on("data", (d: Buffer) => {
      const lines = (this.partial + d.toString("utf8")).split("\n");
      this.partial = lines.pop() ?? "";
      for (const l of lines) if (l.trim()) this.replies.push(JSON.parse(l) as Reply);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.child.stdin.on("error", () => {}); // a server that died is seen in the assertions
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  write(data: string | Buffer): void {
    this.child.stdin.write(data);
  }

  async until(n: number, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.replies.length < n) {
      if (Date.now() > deadline)
        throw new Error(`got ${this.replies.length} of ${n} replies; stderr: ${this.stderr}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  /**
   * Waits for `n` whole lines on stderr: stderr is a pipe of its own, so a log line written before a
   * reply may still reach this process after the reply does.
   */
  async untilStderrLines(n: number, ms = 15_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    const lines = () => this.stderr.split("\n").slice(0, -1);
    while (lines().length < n) {
      if (Date.now() > deadline)
        throw new Error(`got ${lines().length} of ${n} stderr lines: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return lines();
  }

  /** The heap in use after a full collection (test/fakes/heap-probe.cjs must be preloaded). */
  async heapAfterGc(out: string): Promise<number> {
    rmSync(out, { force: true });
    this.child.kill("SIGUSR2");
    for (let i = 0; i < 200 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 25));
    return Number(readFileSync(out, "utf8"));
  }
}

const rpc = (id: number, method: string, params: object = {}) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`;
const INIT = rpc(0, "initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "raw", version: "1" },
});

let server: RawServer | undefined;
afterEach(() => {
  server?.child.kill("SIGKILL");
  server = undefined;
});

async function started(extraEnv: Record<string, string> = {}): Promise<RawServer> {
  server = new RawServer(extraEnv);
  server.write(INIT);
  await server.until(1);
  server.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  return server;
}

describe("kavilo mcp serve self with bad input", () => {
  it("answers a line that is not JSON with -32700 and keeps serving", async () => {
    const s = await started();
    s.write("this is not json\n");
    s.write(rpc(1, "ping"));
    await s.until(3);
    expect(s.replies[1]).toMatchObject({ id: null, error: { code: -32700 } });
    expect(s.replies[2]).toMatchObject({ id: 1, result: {} });
  });

  it("a message that is not JSON-RPC logs one line, not a zod dump, and gets -32600", async () => {
    const s = await started();
    s.write(`${JSON.stringify({ id: 5, hello: "world" })}\n`);
    s.write(rpc(2, "ping"));
    await s.until(3);
    expect(s.replies[1]).toMatchObject({ id: 5, error: { code: -32600 } });
    expect(s.replies[2]).toMatchObject({ id: 2 });
    expect(await s.untilStderrLines(1)).toEqual(["kavilo mcp: ignored a message that is not JSON-RPC 2.0"]);
  });

  it("a message over the buffer limit gets an error reply; the server keeps serving and does not exit 0", async () => {
    const s = await started();
    s.write(`{"jsonrpc":"2.0","id":9,"method":"ping","params":{"pad":"${"x".repeat(11 * 1024 * 1024)}"}}\n`);
    s.write(rpc(3, "ping"));
    await s.until(3, 30_000);
    expect(s.replies[1]).toMatchObject({ id: null, error: { code: -32600 } });
    expect(s.replies[2]).toMatchObject({ id: 3 });
    expect(await s.untilStderrLines(1)).toHaveLength(1);
    s.child.stdin.end();
    expect(await s.exited).toBe(1);
    expect(s.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  }, 60_000);

  it("1000 pipelined calls to a slow reader: every answer, no listener-leak warning, memory back to where it was", async () => {
    const heapOut = join(tempHome("kavilo-heap-"), "heap");
    const s = await started({
      NODE_OPTIONS: `--expose-gc --require ${join(ROOT, "test/fakes/heap-probe.cjs")}`,
      KAVILO_TEST_HEAP_OUT: heapOut,
    });
    let id = 100;
    const round = async () => {
      const want = s.replies.length + 1000;
      let batch = "";
      for (let i = 0; i < 1000; i++) batch += rpc(id++, "tools/list");
      // The reader stops reading while the answers pile up, so the server's writes must wait.
      s.child.stdout.pause();
      s.write(batch);
      await new Promise((r) => setTimeout(r, 500));
      s.child.stdout.resume();
      await s.until(want, 60_000);
    };
    for (let i = 0; i < 2; i++) await round();
    const warm = await s.heapAfterGc(heapOut);
    for (let i = 0; i < 4; i++) await round();
    expect(s.replies).toHaveLength(6001);
    expect(new Set(s.replies.map((r) => r.id)).size).toBe(6001);
    expect(s.stderr).not.toMatch(/MaxListenersExceeded|memory leak/);
    // 4000 more calls leave the collected heap where it was (within 1 MB).
    expect((await s.heapAfterGc(heapOut)) - warm).toBeLessThan(1024 * 1024);
    s.child.stdin.end();
    expect(await s.exited).toBe(0);
  }, 180_000);
});
