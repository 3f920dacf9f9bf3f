import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertUnreachable } from '../../platform/errors';
import { BodyTooLargeError, Delays, readBody, sendJson, sendText } from '../shared/http';
import { beginRequest, hangThenDrop, waitLatency } from '../shared/provider-request';
import { DrawnFault, SmsFaults, activeOutage, latencyFor, pickFault } from './faults';
import type { Capacity, CapacityGate } from './capacity';
import type { Ledger } from './ledger';
import { SmsSendBody, bearerToken, parseMsgId, validateSendRequest } from './request';
import { verifySmsApiToken } from './token';

/** What one send needs from the simulator around it. */
export interface SendContext {
  faults(): SmsFaults;
  random(): number;
  now(): number;
  jwtSecret: string;
  ledger: Ledger;
  delays: Delays;
  capacity: CapacityGate;
}

const MAX_SEND_BODY = 64 * 1024;
const GARBAGE_BODY = '<html><body><h1>502 Bad Gateway</h1></body></html>';

/**
 * `POST /v1/send/{msgId}`: outage → auth and contract checks → latency → drawn fault → accept.
 * Both draws happen first, whatever the outcome, so one seed always yields the same fault sequence.
 */
export async function handleSend(request: IncomingMessage, response: ServerResponse, segment: string, context: SendContext): Promise<void> {
  const { ledger } = context;
  const { latencyDraw, faultDraw } = beginRequest(response, ledger, context.random);
  const faults = context.faults();
  const outage = activeOutage(faults, context.now());
  if (outage) {
    ledger.record('unavailable');
    if (outage.mode === 'refuse') request.socket.destroy();
    return sendJson(response, 503, { code: 503, message: 'Service Unavailable' });
  }
  if (faults.capacity) return handleWithin(faults.capacity, request, response, segment, context);
  const checked = await checkRequest(request, response, segment, context);
  if (!checked) return;
  if (faults.rejectPhones.includes(String(checked.phone))) {
    ledger.record('invalid');
    return sendJson(response, 400, { code: 400, message: 'phone rejected' });
  }
  const latency = latencyFor(latencyDraw, faults);
  if (!(await waitLatency(context.delays, latency, response))) return ledger.record('abandoned');
  const fault = pickFault(faultDraw, faults);
  if (fault) return answerFault(fault, response, faults, context);
  const duplicate = ledger.accept(checked.id, checked, context.now());
  sendJson(response, 200, { code: 0, message: duplicate ? 'OK (duplicate)' : 'OK' });
}

/**
 * A provider of bounded capacity: a worker (now or after a wait in the queue) checks and accepts the request
 * after `serviceMs`, whether or not its client is still there; beyond the queue, 503 at once.
 */
async function handleWithin(capacity: Capacity, request: IncomingMessage, response: ServerResponse, segment: string, context: SendContext): Promise<void> {
  if (!(await context.capacity.enter(capacity))) {
    context.ledger.record('overflow');
    response.setHeader('retry-after', '1');
    return sendJson(response, 503, { code: 503, message: 'Service Unavailable' });
  }
  try {
    const checked = await checkRequest(request, response, segment, context);
    if (!checked) return;
    if (capacity.serviceMs > 0 && !(await context.delays.wait(capacity.serviceMs))) return context.ledger.record('abandoned');
    const duplicate = context.ledger.accept(checked.id, checked, context.now());
    sendJson(response, 200, { code: 0, message: duplicate ? 'OK (duplicate)' : 'OK' });
  } finally {
    context.capacity.leave();
  }
}

/** Auth and the contract; answers 401/400/413 itself and returns null when the request fails them. */
async function checkRequest(request: IncomingMessage, response: ServerResponse, segment: string, context: SendContext): Promise<SmsSendBody | null> {
  const { ledger } = context;
  let raw: string;
  try {
    raw = await readBody(request, MAX_SEND_BODY);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    ledger.record('invalid');
    sendJson(response, 413, { code: 413, message: error.message });
    return null;
  }
  const token = bearerToken(request.headers.authorization);
  if (token === null || !verifySmsApiToken(token, context.jwtSecret)) {
    ledger.record('unauthorized');
    sendJson(response, 401, { code: 401, message: 'Unauthorized' });
    return null;
  }
  const msgId = parseMsgId(segment);
  if (msgId === null) {
    ledger.record('invalid');
    sendJson(response, 400, { code: 400, message: 'msgId must be a positive integer' });
    return null;
  }
  ledger.requestFor(msgId);
  const validation = validateSendRequest(msgId, raw);
  if (validation.ok) return validation.body;
  ledger.record(validation.reason === 'id-mismatch' ? 'id-mismatch' : 'invalid');
  sendJson(response, 400, { code: 400, message: validation.message });
  return null;
}

async function answerFault(fault: NonNullable<DrawnFault>, response: ServerResponse, faults: SmsFaults, context: SendContext): Promise<void> {
  context.ledger.record(fault === 'error' ? 'server-error' : fault);
  switch (fault) {
    case 'timeout':
      return hangThenDrop(context.delays, faults.hangMs, response);
    case 'error':
      return sendJson(response, faults.errorStatus, { code: faults.errorStatus, message: 'Internal Server Error' });
    case 'garbage':
      return sendText(response, 200, 'text/html', GARBAGE_BODY);
    case 'body-error':
      return sendJson(response, 200, { code: 1, message: 'FAIL' });
    default:
      return assertUnreachable(fault);
  }
}
