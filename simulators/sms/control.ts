import type { IncomingMessage, ServerResponse } from 'node:http';
import { controlError, handleCommonControl, withJsonBody } from '../shared/control';
import { VestnikError } from '../../platform/errors';
import { sendJson } from '../shared/http';
import type { SmsFaults } from './faults';
import type { MessageRecord, SmsSimulatorStats } from './ledger';
import { parseMsgId } from './request';

/** What GET /_control/stats answers: the ledger's counters, whether the socket is open, and the worker time. */
export type SimulatorStatsView = SmsSimulatorStats & {
  listening: boolean;
  /** With a `capacity` fault: worker-milliseconds spent on requests since the start or reset (capacity.ts). */
  busyWorkerMs: number;
};

/**
 * The simulator's control API, so tests and benchmarks in another process can flip faults:
 * GET|PUT /_control/faults, GET /_control/stats, GET /_control/messages/{msgId}, POST /_control/reset, and
 * POST /_control/messages/lookup `{ msgIds }` → `{ messages }` (each record or null, in the order asked):
 * a benchmark audits a million messages in a few dozen requests instead of a million. PUT merges the given
 * fields into the current faults. Loopback tooling: no auth.
 */
export interface SimulatorControl {
  faults(): SmsFaults & { seed: number };
  /** Validates and applies a patch at once; the listener follows in syncListener. */
  applyFaults(patch: unknown): SmsFaults & { seed: number };
  /** Opens or closes the listening socket to match the outage in force. */
  syncListener(): Promise<void>;
  stats(): SimulatorStatsView;
  message(msgId: number): MessageRecord | undefined;
  reset(): Promise<void>;
}

const MAX_CONTROL_BODY = 16 * 1024;
/** Ids per lookup: about 0.6 MiB of body, and an answer of a few MiB. */
export const MAX_LOOKUP_IDS = 50_000;
const MAX_LOOKUP_BODY = 2 * 1024 * 1024;

/** Handles one /_control/* request. */
export async function handleControl(request: IncomingMessage, response: ServerResponse, pathname: string, control: SimulatorControl): Promise<void> {
  const route = `${request.method ?? 'GET'} ${pathname}`;
  // PUT faults is answered here: the listener must follow the outage only once the answer is out.
  if (route === 'PUT /_control/faults') return putFaults(request, response, control);
  if (await handleCommonControl(route, request, response, control, MAX_CONTROL_BODY)) return;
  if (route === 'POST /_control/messages/lookup') {
    return withJsonBody(request, response, MAX_LOOKUP_BODY, (body) => ({ messages: lookupIds(body).map((id) => control.message(id) ?? null) }));
  }
  const messageId = /^GET \/_control\/messages\/([^/]+)$/.exec(route)?.[1];
  if (messageId !== undefined) {
    const msgId = parseMsgId(messageId);
    const record = msgId === null ? undefined : control.message(msgId);
    return record ? sendJson(response, 200, record) : controlError(response, 404, 'NOT_FOUND', 'no request seen for this msgId');
  }
  return controlError(response, 404, 'NOT_FOUND', `no control route ${route}`);
}

/** The `msgIds` of a lookup body: integers, at most MAX_LOOKUP_IDS of them. */
function lookupIds(body: unknown): number[] {
  const msgIds = (body as { msgIds?: unknown } | null)?.msgIds;
  if (!Array.isArray(msgIds) || msgIds.length > MAX_LOOKUP_IDS || !msgIds.every((id) => Number.isSafeInteger(id))) {
    throw new VestnikError('VALIDATION_FAILED', `msgIds must be an array of at most ${MAX_LOOKUP_IDS} integers`);
  }
  return msgIds as number[];
}

function putFaults(request: IncomingMessage, response: ServerResponse, control: SimulatorControl): Promise<void> {
  return withJsonBody(request, response, MAX_CONTROL_BODY, (patch) => {
    const faults = control.applyFaults(patch);
    // Answer first: an outage in "refuse" mode closes this very connection when the listener closes.
    response.once('finish', () => void control.syncListener());
    return faults;
  });
}
