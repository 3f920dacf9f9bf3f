import type { IncomingHttpHeaders } from 'node:http';
import type { Authenticate } from '../middleware/auth';

export type RefusalStatus = 401 | 404 | 429 | 503;
/** An accepted upgrade carries when the user's token stops verifying (the gateway closes the socket then). */
export type UpgradeAuth = { ok: true; userId: string; validUntil: number | undefined } | { ok: false; status: RefusalStatus; message: string };

export const GATEWAY_PATH = '/ws';

/**
 * Who opens a websocket: the request must target GATEWAY_PATH and carry a user JWT, as
 * `Authorization: Bearer <jwt>` or, since browsers cannot set headers on a websocket, `?token=<jwt>`.
 * API keys are refused: an inbox belongs to a user, and a service has none.
 */
export async function authenticateUpgrade(authenticate: Authenticate, request: { url?: string; headers: IncomingHttpHeaders }): Promise<UpgradeAuth> {
  const url = new URL(request.url ?? '/', 'http://gateway.invalid');
  if (url.pathname !== GATEWAY_PATH) return { ok: false, status: 404, message: 'no websocket endpoint here' };
  const header = request.headers.authorization;
  const query = url.searchParams.get('token');
  const authorization = header ?? (query ? `Bearer ${query}` : undefined);
  if (!authorization) return { ok: false, status: 401, message: 'missing bearer token' };
  try {
    const principal = await authenticate(authorization);
    if (principal.kind !== 'user') return { ok: false, status: 401, message: 'a user token is required' };
    return { ok: true, userId: principal.id, validUntil: principal.validUntil };
  } catch (error) {
    // The authenticator's reasons (expired, no exp, wrong iss) name no secret and help the client; a JWKS outage is a 503.
    const code = (error as { code?: unknown }).code;
    if (code === 'DEPENDENCY_UNAVAILABLE') return { ok: false, status: 503, message: 'try again later' };
    return { ok: false, status: 401, message: code === 'UNAUTHORIZED' ? (error as Error).message : 'invalid token' };
  }
}

const REFUSALS: Record<RefusalStatus, [code: string, reason: string]> = {
  401: ['UNAUTHORIZED', 'Unauthorized'],
  404: ['NOT_FOUND', 'Not Found'],
  429: ['RATE_LIMITED', 'Too Many Requests'],
  503: ['DEPENDENCY_UNAVAILABLE', 'Service Unavailable'],
};

/**
 * The raw HTTP answer that refuses an upgrade (written to the socket, which is then closed). A 429 says
 * when to try again (`retryAfterSeconds`, in Retry-After and in the error's details).
 */
export function refusalResponse(status: RefusalStatus, message: string, retryAfterSeconds = 1): string {
  const [code, reason] = REFUSALS[status];
  const error = status === 429 ? { code, message, details: { retryAfterSeconds } } : { code, message };
  const body = JSON.stringify({ error });
  return [
    `HTTP/1.1 ${status} ${reason}`, 'Connection: close', 'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`, ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
    ...(status === 429 ? [`Retry-After: ${retryAfterSeconds}`] : []), '', body,
  ].join('\r\n');
}
