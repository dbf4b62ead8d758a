/**
 * A forward proxy on 127.0.0.1, as HTTPS_PROXY / HTTP_PROXY name one: CONNECT tunnels (what undici,
 * Node's proxyEnv agents and WebSocket clients use) and absolute-URI requests (plain HTTP through a
 * proxy). It records which host:port each tunnel or request was for.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";

export interface FakeProxy {
  url: string;
  /** "CONNECT host:port", "GET host:port" or "UPGRADE host:port", one per tunnel or forwarded request. */
  log: string[];
  /** How many tunnels or requests went to this port. */
  countFor(port: number | string): number;
  close(): Promise<void>;
}

export async function startFakeProxy(): Promise<FakeProxy> {
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? "/");
    log.push(`${req.method} ${target.host}`);
    // agent: false, so a proxy-aware global agent in this process cannot loop back here.
    const upstream = request(target, { method: req.method, headers: req.headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    log.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host ?? "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    // a closed end closes the other, so a dropped upstream reaches the client as a dropped connection
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  // A plain-HTTP WebSocket upgrade sent to the proxy with an absolute URI: replayed to the target.
  server.on("upgrade", (req, client: Socket, head: Buffer) => {
    const target = new URL(req.url ?? "/");
    log.push(`UPGRADE ${target.host}`);
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${target.pathname}${target.search} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    countFor: (p) => log.filter((l) => l.endsWith(`:${p}`)).length,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
