import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger, silentLogger } from '../../platform/logger';
import { createDelays, sendJson } from '../shared/http';
import { createSeededRandom } from '../shared/seeded-random';
import { PushSimulatorControl, handlePushControl } from './control';
import { NO_PUSH_FAULTS, PushFaults, PushFaultsPatch, applyPushFaultsPatch } from './faults';
import { AcceptedPush, PushSimulatorStats, createPushLedger } from './ledger';
import { fcmError, matchPushSendPath } from './request';
import { PushSendContext, handlePushSend } from './send-handler';

export interface PushSimulatorOptions {
  /** The FCM project id the send path must name. */
  project: string;
  /** The OAuth2 access token the `Authorization: Bearer` header must carry. */
  accessToken: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Tokens answered 404 UNREGISTERED from the start; reset() returns to these. */
  invalidTokens?: string[];
  /** Faults from the start; reset() returns to these (without the outage). */
  faults?: PushFaultsPatch;
  seed?: number;
  now?: () => number;
  logger?: Logger;
}

export interface PushSimulator {
  /** Base URL of the provider API (PUSH_API_URL); also serves /_control/*. Known after start(). */
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  setFaults(patch: PushFaultsPatch): PushFaults;
  faults(): PushFaults;
  /** Adds tokens the provider answers 404 UNREGISTERED (an uninstalled app), or replaces the set. */
  setInvalidTokens(tokens: string[], mode?: 'add' | 'replace'): string[];
  stats(): PushSimulatorStats;
  /** Accepted messages, oldest first, optionally for one device token. */
  messages(token?: string): AcceptedPush[];
  /** Zeroes the counters, restores the start faults and invalid tokens; an outage in force ends. */
  reset(): void;
}

/** A local stand-in for an FCM HTTP v1 push provider with switchable faults (see faults.ts, DESIGN.md). */
export function createPushSimulator(options: PushSimulatorOptions): PushSimulator {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const log = (options.logger ?? silentLogger).child({ module: 'push-simulator' });
  const control = createControl(options, now, log);
  const delays = createDelays();
  const context: PushSendContext = {
    project: options.project, accessToken: options.accessToken, faults: control.currentFaults,
    isInvalidToken: control.isInvalidToken, random: control.random, now, ledger: control.ledger, delays,
  };
  const server = createServer(routeRequests(control, context, log));
  let port = options.port ?? 0;

  return {
    get url() {
      if (port === 0) throw new Error('the push simulator has not started yet');
      return `http://${host}:${port}`;
    },
    async start() {
      port = await listen(server, host, port);
      log.info({ url: `http://${host}:${port}` }, 'push simulator listening');
    },
    async stop() {
      delays.cancelAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    setFaults: (patch) => control.applyFaults(patch),
    faults: control.currentFaults,
    setInvalidTokens: (tokens, mode = 'add') => control.setInvalidTokens(tokens, mode),
    stats: control.stats,
    messages: control.messages,
    reset: control.reset,
  };
}

/** The mutable state behind the control API: faults with their seeded draws, invalid tokens, the ledger. */
function createControl(options: PushSimulatorOptions, now: () => number, log: Logger) {
  const initial = applyPushFaultsPatch(NO_PUSH_FAULTS, options.faults ?? {}, now());
  const initialSeed = initial.seed ?? options.seed ?? 1;
  let faults = initial.faults;
  let seed = initialSeed;
  let random = createSeededRandom(seed);
  let invalid = new Set(options.invalidTokens ?? []);
  const ledger = createPushLedger();
  const control: PushSimulatorControl = {
    faults: () => ({ ...faults, seed }),
    applyFaults(patch) {
      const applied = applyPushFaultsPatch(faults, patch, now());
      faults = applied.faults;
      if (applied.seed !== undefined) random = createSeededRandom((seed = applied.seed));
      log.info({ faults, seed }, 'faults changed');
      return { ...faults, seed };
    },
    invalidTokens: () => [...invalid],
    setInvalidTokens(tokens, mode) {
      invalid = new Set(mode === 'replace' ? tokens : [...invalid, ...tokens]);
      return [...invalid];
    },
    stats: () => ledger.snapshot(),
    messages: (token) => ledger.messages(token),
    reset() {
      ledger.reset();
      faults = { ...initial.faults, outage: null };
      random = createSeededRandom((seed = initialSeed));
      invalid = new Set(options.invalidTokens ?? []);
    },
  };
  return {
    ...control,
    ledger,
    currentFaults: (): PushFaults => ({ ...faults }),
    isInvalidToken: (token: string) => invalid.has(token),
    random: () => random(),
  };
}

type RequestHandler = Parameters<typeof createServer>[1] & {};

/** Routes provider sends and /_control/*; unexpected failures become a 500. */
function routeRequests(control: PushSimulatorControl, context: PushSendContext, log: Logger): RequestHandler {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const work = async () => {
      if (url.pathname.startsWith('/_control/')) return handlePushControl(request, response, url, control);
      const project = matchPushSendPath(url.pathname);
      if (project === null) return sendJson(response, 404, fcmError(404, 'INVALID_ARGUMENT', 'Not Found'));
      if (request.method !== 'POST') return sendJson(response, 405, fcmError(405, 'INVALID_ARGUMENT', 'Method Not Allowed'));
      return handlePushSend(request, response, decodeURIComponent(project), context);
    };
    work().catch((error: unknown) => {
      log.error({ err: error, pathname: url.pathname }, 'push simulator request failed');
      sendJson(response, 500, fcmError(500, 'INTERNAL', 'simulator error'));
    });
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
