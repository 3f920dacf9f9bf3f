/**
 * A configured provider's answer as a SendResult, by its spec's rules: a `sent` status (and, if set, a JSON
 * field's value) is sent; then `retriable`, then `permanent`; anything else is a retriable bad response.
 * Retriable is checked before permanent so that 429 stays retriable under a "4xx is permanent" rule.
 */
import { statusMatches, type HttpProviderSpec } from '../../platform/http/provider-spec';
import { permanent, retriable, sent, type SendResult } from '../policy/send-result';
import { retryAfterMs } from '../policy/retry-after';

export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter?: string | string[];
}

export function classifyHttpAnswer(spec: Pick<HttpProviderSpec, 'sent' | 'jsonMismatch' | 'retriable' | 'permanent' | 'messageIdPath'>, answer: HttpAnswer): SendResult {
  const { status } = answer;
  if (statusMatches(status, spec.sent.status)) {
    const json = spec.sent.json || spec.messageIdPath ? parseJson(answer.body) : undefined;
    if (spec.sent.json) {
      const value = valueAt(json, spec.sent.json.path);
      if (value !== spec.sent.json.equals) {
        const reason = `http ${status} with ${spec.sent.json.path} = ${JSON.stringify(value) ?? 'nothing'}`;
        return spec.jsonMismatch === 'permanent' ? permanent('PROVIDER_REJECTED', reason) : retriable('PROVIDER_BAD_RESPONSE', reason);
      }
    }
    const id = spec.messageIdPath ? valueAt(json, spec.messageIdPath) : undefined;
    return sent(typeof id === 'string' || typeof id === 'number' ? String(id) : undefined);
  }
  if (statusMatches(status, spec.retriable)) return retriable('PROVIDER_UNAVAILABLE', `http ${status}`, retryAfterMs(answer.retryAfter));
  if (statusMatches(status, spec.permanent)) return permanent('PROVIDER_REJECTED', `http ${status}`);
  return retriable('PROVIDER_BAD_RESPONSE', `unexpected http ${status}`);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The value at a dotted path ("result.id"), or undefined. */
function valueAt(json: unknown, path: string): unknown {
  let at: unknown = json;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
