import { AddressInfo } from 'node:net';
import http from 'node:http';
import type Koa from 'koa';

/** A listening API server. */
export interface HttpServer {
  url: string;
  /** The node server, for protocols beside Koa (the in-app websocket gateway listens to its 'upgrade'). */
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then drops what is left. */
  close(graceMs?: number): Promise<void>;
}

/** Listens on host:port (port 0 picks a free one) and resolves once the socket is bound. */
export async function startHttpServer(app: Koa<any>, options: { host: string; port: number }): Promise<HttpServer> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return { url: `http://${host}:${port}`, server, close: (graceMs = 10_000) => closeGracefully(server, graceMs) };
}

function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // Idle keep-alive sockets would hold close() open forever; busy ones get the grace period.
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close((error) => {
      clearTimeout(force);
      if (error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
