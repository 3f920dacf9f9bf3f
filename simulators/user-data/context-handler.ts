import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, Delays, readBody, sendJson, sendText } from '../shared/http';
import { answerOutage, beginRequest, hangThenDrop, waitLatency } from '../shared/provider-request';
import { contextError, validateContextRequest } from './contract';
import { UserDataFaults, activeUserDataOutage, pickUserDataFault, userDataLatencyFor } from './faults';
import type { UserDataLedger } from './ledger';
import { answerContexts } from './monthly-digest';

/** What one context request needs from the simulator around it. */
export interface ContextRequestContext {
  faults(): UserDataFaults;
  unknownPrefixes(): readonly string[];
  random(): number;
  now(): number;
  ledger: UserDataLedger;
  delays: Delays;
}

const MAX_REQUEST_BODY = 1024 * 1024;

/**
 * `POST /v1/context/{kind}`: outage → body and kind checks → latency → drawn fault → answer. Both draws
 * happen first, whatever the outcome, so one seed always yields the same fault sequence.
 */
export async function handleContextRequest(
  request: IncomingMessage, response: ServerResponse, kind: string, context: ContextRequestContext,
): Promise<void> {
  const { ledger } = context;
  const { latencyDraw, faultDraw } = beginRequest(response, ledger, context.random);
  const faults = context.faults();
  const outage = activeUserDataOutage(faults, context.now());
  if (answerOutage(outage, request, response, ledger, () => contextError('UNAVAILABLE', 'the user-data service is unavailable'))) return;
  const userIds = await readUserIds(request, response, ledger);
  if (!userIds) return;
  const answer = answerContexts(kind, userIds, context.now(), context.unknownPrefixes());
  if (!answer) {
    ledger.record('unknown-kind');
    return sendJson(response, 404, contextError('UNKNOWN_KIND', `no context kind ${kind}`));
  }
  const latency = userDataLatencyFor(latencyDraw, faults);
  if (!(await waitLatency(context.delays, latency, response))) return ledger.record('abandoned');
  switch (pickUserDataFault(faultDraw, faults)) {
    case 'timeout':
      ledger.record('timeout');
      return hangThenDrop(context.delays, faults.hangMs, response);
    case 'error':
      ledger.record('server-error');
      return sendJson(response, faults.errorStatus, contextError('INTERNAL', 'simulated failure'));
    case 'malformed': {
      ledger.record('malformed');
      // A 200 cut off mid-body, as a crashing upstream or a broken proxy would send it.
      const whole = JSON.stringify({ contexts: answer.contexts });
      return sendText(response, 200, 'application/json', whole.slice(0, Math.min(20, whole.length - 1)));
    }
    case null:
      ledger.answered(kind, userIds.length, answer.omitted);
      return sendJson(response, 200, { contexts: answer.contexts });
  }
}

/** The request's user ids; answers 400/413 itself and returns null when the body fails the contract. */
async function readUserIds(request: IncomingMessage, response: ServerResponse, ledger: UserDataLedger): Promise<string[] | null> {
  let raw: string;
  try {
    raw = await readBody(request, MAX_REQUEST_BODY);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    ledger.record('invalid');
    sendJson(response, 413, contextError('INVALID_REQUEST', error.message));
    return null;
  }
  const validation = validateContextRequest(raw);
  if (!validation.ok) {
    ledger.record('invalid');
    sendJson(response, 400, contextError('INVALID_REQUEST', validation.message));
    return null;
  }
  ledger.batch(validation.userIds.length);
  return validation.userIds;
}
