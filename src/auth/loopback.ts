import { createServer, type Server } from "node:http";

export interface LoopbackCallbackServer {
  /** The port actually bound (useful when 0 was asked for). */
  port: number;
  redirectUrl: string;
  /** Resolves with the full callback URL of the first request that carries the expected state. */
  waitForCallback(expectedState: string, timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif"><h1>${title}</h1><p>${body}</p></body></html>`;

/**
 * A one-shot HTTP listener on 127.0.0.1 for the OAuth redirect. A request with a wrong state
 * (a stale tab, a forged link) is answered 400 and the wait goes on.
 */
export async function startLoopbackCallbackServer(
  port: number,
  path = "/oauth/callback",
  /** Told (after the 400 page) that a request carried the wrong state; a login may give up on it. */
  onStateMismatch?: () => void,
): Promise<LoopbackCallbackServer> {
  let expected: string | undefined;
  let deliver: ((url: URL) => void) | undefined;
  let waitTimer: NodeJS.Timeout | undefined;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" || url.pathname !== path) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    const state = url.searchParams.get("state");
    if (!expected || state !== expected) {
      res
        .writeHead(400, { "content-type": "text/html; charset=utf-8" })
        .end(page("Login failed", "This link does not belong to the login in progress (state mismatch)."));
      if (expected) onStateMismatch?.();
      return;
    }
    const refused = url.searchParams.get("error");
    res
      .writeHead(refused ? 400 : 200, { "content-type": "text/html; charset=utf-8", connection: "close" })
      .end(
        refused
          ? page("Login refused", "The authorization server refused the login. You can close this tab.")
          : page("kavilo is logged in", "You can close this tab and return to the terminal."),
      );
    deliver?.(new URL(`http://127.0.0.1:${boundPort}${req.url ?? "/"}`));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`port ${port} on 127.0.0.1 is in use; the OAuth redirect needs it free`)
          : err,
      );
    });
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;

  return {
    port: boundPort,
    redirectUrl: `http://127.0.0.1:${boundPort}${path}`,
    waitForCallback(expectedState, timeoutMs) {
      expected = expectedState;
      return new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => {
          deliver = undefined;
          reject(new Error(`no OAuth redirect arrived within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        waitTimer = timer;
        deliver = (url) => {
          clearTimeout(timer);
          deliver = undefined;
          resolve(url);
        };
      });
    },
    close() {
      // A wait the caller gave up on (a state mismatch) must not hold the process open.
      clearTimeout(waitTimer);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
