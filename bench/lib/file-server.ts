import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

export interface FileServer {
  /** http://ADDRESS:PORT, no trailing slash. */
  readonly url: string;
  /** Requests answered so far (the bench checks that the hosts really used it). */
  readonly requests: number;
  close(): Promise<void>;
}

/** Serve a directory's files read-only over HTTP on one address (the bed's bridge), an ephemeral port. */
export async function serveDirectory(root: string, address: string): Promise<FileServer> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    const path = normalize(join(root, decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/')));
    let size: number;
    try {
      if (!path.startsWith(root + sep) && path !== root) throw new Error('outside');
      const stat = statSync(path);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
    if (request.method === 'HEAD') response.end();
    else createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
