import type { RequestListener } from 'node:http';
import { Logger, silentLogger } from '../../platform/logger';
import { createFaultState } from '../shared/fault-state';
import { createDelays, sendJson } from '../shared/http';
import {
  CommonSimulatorOptions, SimulatorRoute, SimulatorServer, createSimulatorServer, guardedListener,
} from '../shared/server';
import { PushSimulatorControl, handlePushControl } from './control';
import { NO_PUSH_FAULTS, PushFaults, PushFaultsPatch, applyPushFaultsPatch } from './faults';
import { AcceptedPush, PushSimulatorStats, createPushLedger } from './ledger';
import { fcmError, matchPushSendPath } from './request';
import { PushSendContext, handlePushSend } from './send-handler';

export interface PushSimulatorOptions extends CommonSimulatorOptions<PushFaultsPatch> {
  /** The FCM project id the send path must name. */
  project: string;
  /** The OAuth2 access token the `Authorization: Bearer` header must carry. */
  accessToken: string;
  /** Tokens answered 404 UNREGISTERED from the start; reset() returns to these. */
  invalidTokens?: string[];
}

export interface PushSimulator extends SimulatorServer {
  /** Base URL of the provider API (PUSH_API_URL); also serves /_control/*. Known after start(). */
  readonly url: string;
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
  const server = createSimulatorServer({
    name: 'push', host, port: options.port ?? 0, handler: routeRequests(control, context, log), delays, log,
  });

  return {
    get url() {
      return server.url;
    },
    start: server.start,
    stop: server.stop,
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
  const settings = createFaultState({
    none: NO_PUSH_FAULTS, applyPatch: applyPushFaultsPatch, initial: options.faults, seed: options.seed, now, log,
  });
  let invalid = new Set(options.invalidTokens ?? []);
  const ledger = createPushLedger();
  const control: PushSimulatorControl = {
    faults: settings.current,
    applyFaults: settings.apply,
    invalidTokens: () => [...invalid],
    setInvalidTokens(tokens, mode) {
      invalid = new Set(mode === 'replace' ? tokens : [...invalid, ...tokens]);
      return [...invalid];
    },
    stats: () => ledger.snapshot(),
    messages: (token) => ledger.messages(token),
    reset() {
      ledger.reset();
      settings.restore();
      invalid = new Set(options.invalidTokens ?? []);
    },
  };
  return {
    ...control,
    ledger,
    currentFaults: settings.faults,
    isInvalidToken: (token: string) => invalid.has(token),
    random: settings.random,
  };
}

/** Routes provider sends and /_control/*; unexpected failures become a 500. */
function routeRequests(control: PushSimulatorControl, context: PushSendContext, log: Logger): RequestListener {
  const route: SimulatorRoute = async (request, response, url) => {
    if (url.pathname.startsWith('/_control/')) return handlePushControl(request, response, url, control);
    const project = matchPushSendPath(url.pathname);
    if (project === null) return sendJson(response, 404, fcmError(404, 'INVALID_ARGUMENT', 'Not Found'));
    if (request.method !== 'POST') return sendJson(response, 405, fcmError(405, 'INVALID_ARGUMENT', 'Method Not Allowed'));
    return handlePushSend(request, response, decodeURIComponent(project), context);
  };
  return guardedListener(route, log, { message: 'push simulator request failed', body: fcmError(500, 'INTERNAL', 'simulator error') });
}
