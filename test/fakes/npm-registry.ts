/**
 * A read-only npm registry on 127.0.0.1 that serves packuments built from this repository's
 * package-lock.json. npm 11 asks for full packuments while it builds an install tree, which `npm ci`
 * never cached; the tarballs it then wants are the ones `npm ci` did cache (same registry URLs and
 * integrity), so `npm i -g <tgz> --registry <fake> --prefer-offline` installs with no network.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

interface LockEntry {
  name?: string;
  version?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  bin?: Record<string, string> | string;
  engines?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  license?: string;
  hasInstallScript?: boolean;
}

export interface FakeNpmRegistry {
  url: string;
  /** Package names whose packument was asked for. */
  requested: string[];
  close(): Promise<void>;
}

const PUBLIC = "https://registry.npmjs.org";

/** The package name of a lock key such as "node_modules/a/node_modules/@s/b". */
function nameOf(key: string, entry: LockEntry): string | undefined {
  if (entry.name) return entry.name;
  const i = key.lastIndexOf("node_modules/");
  return i < 0 ? undefined : key.slice(i + "node_modules/".length);
}

function packuments(lockFile: string): Map<string, Record<string, unknown>> {
  const lock = JSON.parse(readFileSync(lockFile, "utf8")) as { packages: Record<string, LockEntry> };
  const out = new Map<string, Record<string, Record<string, unknown>>>();
  for (const [key, e] of Object.entries(lock.packages)) {
    const name = nameOf(key, e);
    if (!name || !e.version || !e.integrity) continue;
    const base = name.split("/").at(-1);
    const versions = out.get(name) ?? {};
    versions[e.version] = {
      name,
      version: e.version,
      dependencies: e.dependencies ?? {},
      optionalDependencies: e.optionalDependencies,
      peerDependencies: e.peerDependencies,
      peerDependenciesMeta: e.peerDependenciesMeta,
      bin: e.bin,
      engines: e.engines,
      os: e.os,
      cpu: e.cpu,
      libc: e.libc,
      license: e.license,
      hasInstallScript: e.hasInstallScript,
      dist: { tarball: `${PUBLIC}/${name}/-/${base}-${e.version}.tgz`, integrity: e.integrity },
    };
    out.set(name, versions);
  }
  const docs = new Map<string, Record<string, unknown>>();
  for (const [name, versions] of out) {
    const latest = Object.keys(versions).sort(compareVersions).at(-1);
    docs.set(name, { name, "dist-tags": { latest }, versions });
  }
  return docs;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export async function startFakeNpmRegistry(lockFile: string): Promise<FakeNpmRegistry> {
  const docs = packuments(lockFile);
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").slice(1).split("?")[0] ?? "");
    requested.push(name);
    const doc = docs.get(name);
    if (!doc) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"Not found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requested,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
