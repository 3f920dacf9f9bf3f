import type { RequestListener } from 'node:http';
import { Logger, silentLogger } from '../../platform/logger';
import { createFaultState } from '../shared/fault-state';
import { createDelays, sendJson } from '../shared/http';
import {
  CommonSimulatorOptions, SimulatorRoute, SimulatorServer, createSimulatorServer, guardedListener,
} from '../shared/server';
import { ContextRequestContext, handleContextRequest } from './context-handler';
import { contextError, matchContextPath } from './contract';
import { UserDataSimulatorControl, handleUserDataControl } from './control';
import { NO_USER_DATA_FAULTS, UserDataFaults, UserDataFaultsPatch, applyUserDataFaultsPatch } from './faults';
import { UserDataSimulatorStats, createUserDataLedger } from './ledger';
import { CONTEXT_KINDS } from './monthly-digest';

/** Ids the service does not know unless told otherwise: a test names a user `ghost-…` to see one left out. */
export const DEFAULT_UNKNOWN_PREFIXES: readonly string[] = Object.freeze(['ghost-']);

export interface UserDataSimulatorOptions extends CommonSimulatorOptions<UserDataFaultsPatch> {
  /** User-id prefixes left out of every answer; reset() returns to these. Default DEFAULT_UNKNOWN_PREFIXES. */
  unknownPrefixes?: string[];
}

export interface UserDataSimulator extends SimulatorServer {
  /** Base URL of the service (USER_DATA_URL); also serves /_control/*. Known after start(). */
  readonly url: string;
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
  const server = createSimulatorServer({
    name: 'user-data', host, port: options.port ?? 0, handler: routeRequests(control, context, log), delays, log,
  });

  return {
    get url() {
      return server.url;
    },
    start: server.start,
    stop: server.stop,
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
  const settings = createFaultState({
    none: NO_USER_DATA_FAULTS, applyPatch: applyUserDataFaultsPatch, initial: options.faults, seed: options.seed, now, log,
  });
  const initialPrefixes = [...(options.unknownPrefixes ?? DEFAULT_UNKNOWN_PREFIXES)];
  let prefixes = [...initialPrefixes];
  const ledger = createUserDataLedger();
  const control: UserDataSimulatorControl = {
    faults: settings.current,
    applyFaults: settings.apply,
    unknownPrefixes: () => [...prefixes],
    setUnknownPrefixes(next) {
      prefixes = [...next];
      return [...prefixes];
    },
    stats: () => ledger.snapshot(),
    reset() {
      ledger.reset();
      settings.restore();
      prefixes = [...initialPrefixes];
    },
  };
  return {
    ...control,
    ledger,
    currentFaults: settings.faults,
    random: settings.random,
  };
}

/** Routes context requests and /_control/*; unexpected failures become a 500. */
function routeRequests(control: UserDataSimulatorControl, context: ContextRequestContext, log: Logger): RequestListener {
  const route: SimulatorRoute = async (request, response, url) => {
    if (url.pathname.startsWith('/_control/')) return handleUserDataControl(request, response, url, control);
    const kind = matchContextPath(url.pathname);
    if (kind === null) return sendJson(response, 404, contextError('NOT_FOUND', 'Not Found'));
    if (request.method !== 'POST') return sendJson(response, 405, contextError('METHOD_NOT_ALLOWED', 'use POST'));
    return handleContextRequest(request, response, kind, context);
  };
  return guardedListener(route, log, { message: 'user-data simulator request failed', body: contextError('INTERNAL', 'simulator error') });
}
