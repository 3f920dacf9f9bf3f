import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger, silentLogger } from '../../platform/logger';
import { createDelays, sendJson } from '../shared/http';
import { createSeededRandom } from '../shared/seeded-random';
import { ContextRequestContext, handleContextRequest } from './context-handler';
import { contextError, matchContextPath } from './contract';
import { UserDataSimulatorControl, handleUserDataControl } from './control';
import { NO_USER_DATA_FAULTS, UserDataFaults, UserDataFaultsPatch, applyUserDataFaultsPatch } from './faults';
import { UserDataSimulatorStats, createUserDataLedger } from './ledger';
import { CONTEXT_KINDS } from './monthly-digest';

/** Ids the service does not know unless told otherwise: a test names a user `ghost-…` to see one left out. */
export const DEFAULT_UNKNOWN_PREFIXES: readonly string[] = Object.freeze(['ghost-']);

export interface UserDataSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** User-id prefixes left out of every answer; reset() returns to these. Default DEFAULT_UNKNOWN_PREFIXES. */
  unknownPrefixes?: string[];
  /** Faults from the start; reset() returns to these (without the outage). */
  faults?: UserDataFaultsPatch;
  seed?: number;
  now?: () => number;
  logger?: Logger;
}

export interface UserDataSimulator {
  /** Base URL of the service (USER_DATA_URL); also serves /_control/*. Known after start(). */
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  setFaults(patch: UserDataFaultsPatch): UserDataFaults;
  faults(): UserDataFaults;
  setUnknownPrefixes(prefixes: string[]): string[];
  /** The context the service answers for a user now, or null for an unknown kind or user: what a test expects to see rendered. */
  contextOf(kind: string, userId: string): object | null;
  stats(): UserDataSimulatorStats;
  /** Zeroes the counters, restores the start faults and unknown prefixes; an outage in force ends. */
  reset(): void;
}

/** A local stand-in for the user-data service that context providers call (contract: contract.ts). */
export function createUserDataSimulator(options: UserDataSimulatorOptions = {}): UserDataSimulator {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const log = (options.logger ?? silentLogger).child({ module: 'user-data-simulator' });
  const control = createControl(options, now, log);
  const delays = createDelays();
  const context: ContextRequestContext = {
    faults: control.currentFaults, unknownPrefixes: control.unknownPrefixes, random: control.random, now,
    ledger: control.ledger, delays,
  };
  const server = createServer(routeRequests(control, context, log));
  let port = options.port ?? 0;

  return {
    get url() {
      if (port === 0) throw new Error('the user-data simulator has not started yet');
      return `http://${host}:${port}`;
    },
    async start() {
      port = await listen(server, host, port);
      log.info({ url: `http://${host}:${port}` }, 'user-data simulator listening');
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
    setUnknownPrefixes: control.setUnknownPrefixes,
    contextOf(kind, userId) {
      const contextFor = Object.prototype.hasOwnProperty.call(CONTEXT_KINDS, kind) ? CONTEXT_KINDS[kind] : undefined;
      if (!contextFor || control.unknownPrefixes().some((prefix) => userId.startsWith(prefix))) return null;
      return contextFor(userId, now());
    },
    stats: control.stats,
    reset: control.reset,
  };
}

/** The mutable state behind the control API: faults with their seeded draws, unknown prefixes, the ledger. */
function createControl(options: UserDataSimulatorOptions, now: () => number, log: Logger) {
  const initial = applyUserDataFaultsPatch(NO_USER_DATA_FAULTS, options.faults ?? {}, now());
  const initialSeed = initial.seed ?? options.seed ?? 1;
  const initialPrefixes = [...(options.unknownPrefixes ?? DEFAULT_UNKNOWN_PREFIXES)];
  let faults = initial.faults;
  let seed = initialSeed;
  let random = createSeededRandom(seed);
  let prefixes = [...initialPrefixes];
  const ledger = createUserDataLedger();
  const control: UserDataSimulatorControl = {
    faults: () => ({ ...faults, seed }),
    applyFaults(patch) {
      const applied = applyUserDataFaultsPatch(faults, patch, now());
      faults = applied.faults;
      if (applied.seed !== undefined) random = createSeededRandom((seed = applied.seed));
      log.info({ faults, seed }, 'faults changed');
      return { ...faults, seed };
    },
    unknownPrefixes: () => [...prefixes],
    setUnknownPrefixes(next) {
      prefixes = [...next];
      return [...prefixes];
    },
    stats: () => ledger.snapshot(),
    reset() {
      ledger.reset();
      faults = { ...initial.faults, outage: null };
      random = createSeededRandom((seed = initialSeed));
      prefixes = [...initialPrefixes];
    },
  };
  return {
    ...control,
    ledger,
    currentFaults: (): UserDataFaults => ({ ...faults }),
    random: () => random(),
  };
}

type RequestHandler = Parameters<typeof createServer>[1] & {};

/** Routes context requests and /_control/*; unexpected failures become a 500. */
function routeRequests(control: UserDataSimulatorControl, context: ContextRequestContext, log: Logger): RequestHandler {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator');
    const work = async () => {
      if (url.pathname.startsWith('/_control/')) return handleUserDataControl(request, response, url, control);
      const kind = matchContextPath(url.pathname);
      if (kind === null) return sendJson(response, 404, contextError('NOT_FOUND', 'Not Found'));
      if (request.method !== 'POST') return sendJson(response, 405, contextError('METHOD_NOT_ALLOWED', 'use POST'));
      return handleContextRequest(request, response, kind, context);
    };
    work().catch((error: unknown) => {
      log.error({ err: error, pathname: url.pathname }, 'user-data simulator request failed');
      sendJson(response, 500, contextError('INTERNAL', 'simulator error'));
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
