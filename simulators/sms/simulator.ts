import { RequestListener, Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger, silentLogger } from '../../platform/logger';
import { createFaultState } from '../shared/fault-state';
import { createDelays, sendJson } from '../shared/http';
import {
  CommonSimulatorOptions, SimulatorRoute, SimulatorServer, closeServer, guardedListener, listen,
} from '../shared/server';
import { createCapacityGate } from './capacity';
import { SimulatorControl, SimulatorStatsView, handleControl } from './control';
import { FaultsPatch, NO_FAULTS, SmsFaults, activeOutage, applyFaultsPatch } from './faults';
import { MessageRecord, createLedger } from './ledger';
import { matchSendPath } from './request';
import { handleSend } from './send-handler';

export interface SmsSimulatorOptions extends CommonSimulatorOptions<FaultsPatch> {
  /** The HS256 secret the bearer JWT must be signed with (see createSmsApiToken). */
  jwtSecret: string;
  /** 0 (default) picks a free port; it is kept across outages so the url stays valid. */
  port?: number;
  /** A second listener serving only /_control/*, still reachable while a "refuse" outage is on. */
  controlPort?: number;
}

export interface SmsSimulator extends SimulatorServer {
  /** Base URL of the provider API (SMS_API_URL); also serves /_control/*. Known after start(). */
  readonly url: string;
  /** Base URL of the control-only listener, or `url` when there is none. */
  readonly controlUrl: string;
  setFaults(patch: FaultsPatch): Promise<SmsFaults>;
  faults(): SmsFaults;
  stats(): SimulatorStatsView;
  message(msgId: number): MessageRecord | undefined;
  /** Zeroes the counters and restores the start faults; an outage in force ends. */
  reset(): Promise<void>;
}

/** A local stand-in for the SMS provider with switchable faults (see faults.ts and DESIGN.md). */
export function createSmsSimulator(options: SmsSimulatorOptions): SmsSimulator {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const log = (options.logger ?? silentLogger).child({ module: 'sms-simulator' });
  const settings = createFaultState({
    none: NO_FAULTS, applyPatch: applyFaultsPatch, initial: options.faults, seed: options.seed, now, log,
  });
  const ledger = createLedger();
  const delays = createDelays();
  const listener = createListenerState(host, options.port ?? 0);
  const capacity = createCapacityGate(now);
  const control: SimulatorControl = {
    faults: settings.current,
    applyFaults: settings.apply,
    syncListener: () => {
      const outage = activeOutage(settings.faults(), now());
      return listener.sync(outage?.mode === 'refuse' ? outage.until : null, now);
    },
    stats: () => ({ ...ledger.snapshot(), listening: listener.listening(), busyWorkerMs: capacity.busyWorkerMs() }),
    message: (msgId) => ledger.message(msgId),
    async reset() {
      ledger.reset();
      capacity.reset();
      settings.restore();
      await control.syncListener();
    },
  };
  const sendContext = { faults: settings.faults, random: settings.random, now, jwtSecret: options.jwtSecret, ledger, delays, capacity };
  listener.server.on('request', routeRequests(control, sendContext, log));
  let controlServer: Server | null = null;
  const baseUrl = (port: number) => `http://${host}:${port}`;

  return {
    get url() {
      return baseUrl(listener.port());
    },
    get controlUrl() {
      return baseUrl(controlServer ? (controlServer.address() as AddressInfo).port : listener.port());
    },
    async start() {
      listener.enable();
      await control.syncListener();
      if (options.controlPort !== undefined) {
        controlServer = createServer(routeRequests(control, null, log));
        await listen(controlServer, host, options.controlPort);
      }
      log.info({ url: baseUrl(listener.port()), controlPort: options.controlPort }, 'sms simulator listening');
    },
    async stop() {
      listener.disable();
      delays.cancelAll();
      await listener.sync(null, now);
      if (controlServer) await closeServer(controlServer);
      controlServer = null;
    },
    async setFaults(patch) {
      const applied = control.applyFaults(patch);
      await control.syncListener();
      return applied;
    },
    faults: settings.faults,
    stats: control.stats,
    message: control.message,
    reset: control.reset,
  };
}

/** Routes provider sends (when `send` is given) and /_control/*; unexpected failures become a 500. */
function routeRequests(control: SimulatorControl, send: Parameters<typeof handleSend>[3] | null, log: Logger): RequestListener {
  const route: SimulatorRoute = async (request, response, { pathname }) => {
    if (pathname.startsWith('/_control/')) return handleControl(request, response, pathname, control);
    const segment = send && matchSendPath(pathname);
    if (!send || segment === null || segment === undefined) return sendJson(response, 404, { code: 404, message: 'Not Found' });
    if (request.method !== 'POST') return sendJson(response, 405, { code: 405, message: 'Method Not Allowed' });
    return handleSend(request, response, segment, send);
  };
  return guardedListener(route, log, { message: 'simulator request failed', body: { code: 500, message: 'simulator error' } });
}

/**
 * The provider's listening socket, opened and closed to follow "refuse" outages. Operations are
 * chained so overlapping calls never race; a timer reopens the socket when the outage ends.
 */
function createListenerState(host: string, requestedPort: number) {
  const server = createServer();
  let enabled = false;
  let open = false;
  let port = requestedPort;
  let reopenTimer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();

  const apply = async (refuseUntil: number | null, now: () => number): Promise<void> => {
    if (reopenTimer) clearTimeout(reopenTimer);
    reopenTimer = null;
    const wantOpen = enabled && refuseUntil === null;
    if (wantOpen && !open) {
      port = await listen(server, host, port);
      open = true;
    } else if (!wantOpen && open) {
      await closeServer(server);
      open = false;
    }
    if (enabled && refuseUntil !== null) {
      reopenTimer = setTimeout(() => void sync(null, now), Math.max(0, refuseUntil - now()));
    }
  };
  const sync = (refuseUntil: number | null, now: () => number): Promise<void> => {
    chain = chain.then(() => apply(refuseUntil, now));
    return chain;
  };

  return {
    server,
    sync,
    enable: () => void (enabled = true),
    disable: () => void (enabled = false),
    listening: () => open,
    port: () => {
      if (port === 0) throw new Error('the simulator has not started yet');
      return port;
    },
  };
}
