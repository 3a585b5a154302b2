import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** A listening HTTP server. */
export interface HttpServer {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends idle keep-alive sockets, waits for the rest. Safe to call twice. */
  close(): Promise<void>;
}

/** Listens on host:port (port 0 picks a free one). */
export async function listen(app: Express, host: string, port: number): Promise<HttpServer> {
  const server: Server = await new Promise((resolve, reject) => {
    // Express 5 calls the listen callback with the error too (EADDRINUSE...), before our own 'error' handler.
    const failed = (err: Error): void => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
    const s = app.listen(port, host, (err?: Error) => (err ? failed(err) : resolve(s)));
    s.once('error', failed);
  });
  const addr = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    port: addr.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closing;
    },
  };
}
