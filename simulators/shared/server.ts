import { IncomingMessage, RequestListener, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../platform/logger';
import { Delays, sendJson } from './http';

/** Listens on host:port (0 picks a free one) and resolves the port really bound. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting and drops every connection, idle or busy: a stop (or an outage) is not a graceful drain. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface SimulatorServerOptions {
  /** Names the simulator in the "not started" error and the listening log line, e.g. "push". */
  name: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  handler: RequestListener;
  /** Cancelled on stop, so a slow or hanging fault never outlives the server. */
  delays: Delays;
  log: Logger;
}

/** An HTTP simulator's lifecycle: one listener, a url known after start, a stop that drops everything. */
export interface SimulatorServer {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSimulatorServer(options: SimulatorServerOptions): SimulatorServer {
  const { host, delays, log } = options;
  const server = createServer(options.handler);
  let port = options.port;
  return {
    get url() {
      if (port === 0) throw new Error(`the ${options.name} simulator has not started yet`);
      return `http://${host}:${port}`;
    },
    async start() {
      port = await listen(server, host, port);
      log.info({ url: `http://${host}:${port}` }, `${options.name} simulator listening`);
    },
    async stop() {
      delays.cancelAll();
      await closeServer(server);
    },
  };
}

/** The start options every provider simulator takes; each adds its own. */
export interface CommonSimulatorOptions<Patch> {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Faults from the start; reset() returns to these (without the outage). */
  faults?: Patch;
  seed?: number;
  now?: () => number;
  logger?: Logger;
}

/** One request as a simulator routes it: the parsed URL, and the handling, which may fail. */
export type SimulatorRoute = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/**
 * Turns a simulator's async router into a request listener: an unexpected failure is logged and
 * answered 500 with the provider's own error body, never left hanging.
 */
export function guardedListener(route: SimulatorRoute, log: Logger, failure: { message: string; body: unknown }): RequestListener {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator');
    route(request, response, url).catch((error: unknown) => {
      log.error({ err: error, pathname: url.pathname }, failure.message);
      sendJson(response, 500, failure.body);
    });
  };
}
