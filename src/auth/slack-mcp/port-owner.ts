import { execFile } from "node:child_process";

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 2000 }, (err, stdout) => resolve(err ? "" : stdout));
  });
}

/**
 * Which process listens on a loopback TCP port, as "node (pid 123)", when the system can tell
 * (`ss` on Linux, `lsof` elsewhere); undefined when it cannot.
 */
export async function portOwner(port: number): Promise<string | undefined> {
  const ss = await run("ss", ["-Hltnp", `sport = :${port}`]);
  const fromSs = /users:\(\("([^"]+)",pid=(\d+)/.exec(ss);
  if (fromSs) return `${fromSs[1]} (pid ${fromSs[2]})`;
  const lsof = await run("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fpc"]);
  const pid = /^p(\d+)$/m.exec(lsof)?.[1];
  const name = /^c(.+)$/m.exec(lsof)?.[1];
  if (pid) return name ? `${name} (pid ${pid})` : `pid ${pid}`;
  return undefined;
}
