import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, Delays, readBody, sendJson } from '../shared/http';
import { answerOutage, beginRequest, hangThenDrop, waitLatency } from '../shared/provider-request';
import { PushFaults, activePushOutage, pickPushFault, pushLatencyFor } from './faults';
import type { PushLedger } from './ledger';
import { PushSendBody, bearerToken, faultErrorCode, fcmError, validatePushSendRequest } from './request';

/** What one send needs from the simulator around it. */
export interface PushSendContext {
  project: string;
  accessToken: string;
  faults(): PushFaults;
  isInvalidToken(token: string): boolean;
  random(): number;
  now(): number;
  ledger: PushLedger;
  delays: Delays;
}

const MAX_SEND_BODY = 64 * 1024;

/**
 * `POST /v1/projects/{project}/messages:send`: outage → auth, project and body checks → latency →
 * drawn fault → unregistered token → accept. Both draws happen first, whatever the outcome, so one
 * seed always yields the same fault sequence.
 */
export async function handlePushSend(request: IncomingMessage, response: ServerResponse, project: string, context: PushSendContext): Promise<void> {
  const { ledger } = context;
  const { latencyDraw, faultDraw } = beginRequest(response, ledger, context.random);
  const faults = context.faults();
  const outage = activePushOutage(faults, context.now());
  if (answerOutage(outage, request, response, ledger, () => fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.'))) return;
  const message = await checkRequest(request, response, project, context);
  if (!message) return;
  const latency = pushLatencyFor(latencyDraw, faults);
  if (!(await waitLatency(context.delays, latency, response))) return ledger.record('abandoned');
  const fault = pickPushFault(faultDraw, faults);
  if (fault === 'timeout') {
    ledger.record('timeout');
    return hangThenDrop(context.delays, faults.hangMs, response);
  }
  if (fault === 'error') {
    ledger.record('server-error');
    return sendJson(response, faults.errorStatus, fcmError(faults.errorStatus, faultErrorCode(faults.errorStatus), 'Simulated failure.'));
  }
  if (context.isInvalidToken(message.token)) {
    ledger.record('unregistered');
    return sendJson(response, 404, fcmError(404, 'UNREGISTERED', 'Requested entity was not found.'));
  }
  const name = ledger.accept(context.project, message, context.now());
  sendJson(response, 200, { name });
}

/** Auth, project and body; answers 401/404/400/413 itself and returns null when the request fails them. */
async function checkRequest(
  request: IncomingMessage, response: ServerResponse, project: string, context: PushSendContext,
): Promise<PushSendBody | null> {
  const { ledger } = context;
  let raw: string;
  try {
    raw = await readBody(request, MAX_SEND_BODY);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    ledger.record('invalid');
    sendJson(response, 413, fcmError(413, 'INVALID_ARGUMENT', error.message));
    return null;
  }
  if (bearerToken(request.headers.authorization) !== context.accessToken) {
    ledger.record('unauthorized');
    sendJson(response, 401, fcmError(401, 'THIRD_PARTY_AUTH_ERROR', 'Request had invalid authentication credentials.'));
    return null;
  }
  if (project !== context.project) {
    ledger.record('wrong-project');
    sendJson(response, 404, fcmError(404, 'INVALID_ARGUMENT', `Project ${project} not found.`));
    return null;
  }
  const validation = validatePushSendRequest(raw);
  if (validation.ok) return validation.body;
  ledger.record('invalid');
  sendJson(response, 400, fcmError(400, 'INVALID_ARGUMENT', validation.message, validation.badField || undefined));
  return null;
}
