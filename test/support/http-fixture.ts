import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body: Buffer | string;
  /** Answer 503 to this many requests first (to exercise retries). */
  failFirst?: number;
  /** Wait this long before answering (to exercise timeouts). */
  delayMs?: number;
  /** Called for each request before it is answered; the answer waits for the promise it returns, if any. */
  gate?: (request: RecordedRequest) => Promise<void> | undefined;
}

export interface RecordedRequest {
  /** GET, HEAD, ... */
  method: string;
  /** The path (and query) asked for; for a proxied request, the absolute URL. */
  url: string;
  /** True when the request came as to a proxy (an absolute URL in the request line). */
  proxied: boolean;
  headers: IncomingHttpHeaders;
}

/** A tiny HTTP server the tests own: it serves routes, doubles as a forward proxy, and records every request. */
export interface HttpFixture {
  /** Base URL as the given address sees it: http://ADDRESS:PORT. */
  readonly base: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** Listen on host (default 0.0.0.0) on an ephemeral port; `address` is what clients use in URLs. */
export async function startHttpFixture(address: string, host = '0.0.0.0'): Promise<HttpFixture> {
  const routes = new Map<string, Route & { served: number }>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const raw = req.url ?? '/';
    const proxied = /^https?:\/\//.test(raw);
    const path = proxied ? new URL(raw).pathname + new URL(raw).search : raw;
    const request = { method: req.method ?? 'GET', url: raw, proxied, headers: req.headers };
    requests.push(request);
    const route = routes.get(path) ?? routes.get(decoded(path));
    const answer = () => {
      if (!route) {
        res.writeHead(404).end('not found\n');
        return;
      }
      route.served++;
      if (route.served <= (route.failFirst ?? 0)) {
        res.writeHead(503).end('try again\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(route.body) }).end(route.body);
    };
    const delayed = () => (route?.delayMs ? setTimeout(answer, route.delayMs) : answer());
    const gate = route?.gate?.(request);
    if (gate) void gate.then(delayed);
    else delayed();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://${address}:${port}`,
    port,
    requests,
    route: (path, route) => void routes.set(path, { ...route, served: 0 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The path with %XX escapes undone (a client may send v1.31.4%2Bk3s1 for v1.31.4+k3s1); itself if malformed. */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
