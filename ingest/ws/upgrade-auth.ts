import type { IncomingHttpHeaders } from 'node:http';
import type { Authenticate } from '../middleware/auth';

export type UpgradeAuth = { ok: true; userId: string } | { ok: false; status: 401 | 404; message: string };

export const GATEWAY_PATH = '/ws';

/**
 * Who opens a websocket: the request must target GATEWAY_PATH and carry a user JWT, as
 * `Authorization: Bearer <jwt>` or, since browsers cannot set headers on a websocket, `?token=<jwt>`.
 * API keys are refused: an inbox belongs to a user, and a service has none.
 */
export function authenticateUpgrade(authenticate: Authenticate, request: { url?: string; headers: IncomingHttpHeaders }): UpgradeAuth {
  const url = new URL(request.url ?? '/', 'http://gateway.invalid');
  if (url.pathname !== GATEWAY_PATH) return { ok: false, status: 404, message: 'no websocket endpoint here' };
  const header = request.headers.authorization;
  const query = url.searchParams.get('token');
  const authorization = header ?? (query ? `Bearer ${query}` : undefined);
  if (!authorization) return { ok: false, status: 401, message: 'missing bearer token' };
  try {
    const principal = authenticate(authorization);
    if (principal.kind !== 'user') return { ok: false, status: 401, message: 'a user token is required' };
    return { ok: true, userId: principal.id };
  } catch {
    return { ok: false, status: 401, message: 'invalid token' };
  }
}

const REFUSALS = {
  401: { reason: 'Unauthorized', code: 'UNAUTHORIZED' },
  404: { reason: 'Not Found', code: 'NOT_FOUND' },
  429: { reason: 'Too Many Requests', code: 'RATE_LIMITED' },
} as const;

/**
 * The raw HTTP answer that refuses an upgrade (written to the socket, which is then closed). A 429 says
 * when to try again (`retryAfterSeconds`, in Retry-After and in the error's details).
 */
export function refusalResponse(status: 401 | 404 | 429, message: string, retryAfterSeconds = 1): string {
  const { reason, code } = REFUSALS[status];
  const error = status === 429 ? { code, message, details: { retryAfterSeconds } } : { code, message };
  const body = JSON.stringify({ error });
  return [
    `HTTP/1.1 ${status} ${reason}`, 'Connection: close', 'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`, ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
    ...(status === 429 ? [`Retry-After: ${retryAfterSeconds}`] : []), '', body,
  ].join('\r\n');
}
