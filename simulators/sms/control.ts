import type { IncomingMessage, ServerResponse } from 'node:http';
import { VestnikError } from '../../platform/errors';
import { BodyTooLargeError, readBody, sendJson } from '../shared/http';
import type { SmsFaults } from './faults';
import type { MessageRecord, SmsSimulatorStats } from './ledger';
import { parseMsgId } from './request';

/**
 * The simulator's control API, so tests and benchmarks in another process can flip faults:
 * GET|PUT /_control/faults, GET /_control/stats, GET /_control/messages/{msgId}, POST /_control/reset.
 * PUT merges the given fields into the current faults. Loopback tooling: no auth.
 */
export interface SimulatorControl {
  faults(): SmsFaults & { seed: number };
  /** Validates and applies a patch at once; the listener follows in syncListener. */
  applyFaults(patch: unknown): SmsFaults & { seed: number };
  /** Opens or closes the listening socket to match the outage in force. */
  syncListener(): Promise<void>;
  stats(): SmsSimulatorStats & { listening: boolean };
  message(msgId: number): MessageRecord | undefined;
  reset(): Promise<void>;
}

const MAX_CONTROL_BODY = 16 * 1024;

/** Handles one /_control/* request. */
export async function handleControl(request: IncomingMessage, response: ServerResponse, pathname: string, control: SimulatorControl): Promise<void> {
  const route = `${request.method ?? 'GET'} ${pathname}`;
  if (route === 'GET /_control/faults') return sendJson(response, 200, control.faults());
  if (route === 'GET /_control/stats') return sendJson(response, 200, control.stats());
  if (route === 'PUT /_control/faults') return putFaults(request, response, control);
  if (route === 'POST /_control/reset') {
    await control.reset();
    return sendJson(response, 200, control.stats());
  }
  const messageId = /^GET \/_control\/messages\/([^/]+)$/.exec(route)?.[1];
  if (messageId !== undefined) {
    const msgId = parseMsgId(messageId);
    const record = msgId === null ? undefined : control.message(msgId);
    return record ? sendJson(response, 200, record) : controlError(response, 404, 'NOT_FOUND', 'no request seen for this msgId');
  }
  return controlError(response, 404, 'NOT_FOUND', `no control route ${route}`);
}

async function putFaults(request: IncomingMessage, response: ServerResponse, control: SimulatorControl): Promise<void> {
  let patch: unknown;
  try {
    patch = JSON.parse(await readBody(request, MAX_CONTROL_BODY));
  } catch (error) {
    const message = error instanceof BodyTooLargeError ? error.message : 'body is not JSON';
    return controlError(response, 400, 'VALIDATION_FAILED', message);
  }
  let faults: SmsFaults & { seed: number };
  try {
    faults = control.applyFaults(patch);
  } catch (error) {
    if (!(error instanceof VestnikError)) throw error;
    return controlError(response, 400, error.code, error.message, error.details);
  }
  // Answer first: an outage in "refuse" mode closes this very connection when the listener closes.
  response.once('finish', () => void control.syncListener());
  sendJson(response, 200, faults);
}

function controlError(response: ServerResponse, status: number, code: string, message: string, details?: unknown): void {
  sendJson(response, status, { error: { code, message, details } });
}
