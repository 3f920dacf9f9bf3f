/**
 * The contract checks of `POST /v1/send/{msgId}`, pure so they are unit-tested without a socket.
 * The provider takes integer ids and phones; 400 when the body id differs from the path id.
 */
export interface SmsSendBody {
  id: number;
  phone: number;
  text: string;
}

export type SendValidation =
  | { ok: true; body: SmsSendBody }
  | { ok: false; reason: 'invalid-json' | 'invalid-body' | 'id-mismatch'; message: string };

const SEND_PATH = /^\/v1\/send\/([^/]+)$/;
const MAX_TEXT_LENGTH = 4096;

/** The msgId segment of a send path (as written, not yet checked), or null for any other path. */
export function matchSendPath(pathname: string): string | null {
  return SEND_PATH.exec(pathname)?.[1] ?? null;
}

/** A path msgId is the decimal form of a positive safe integer. */
export function parseMsgId(segment: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(segment)) return null;
  const id = Number(segment);
  return Number.isSafeInteger(id) ? id : null;
}

const isPositiveSafeInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/** Validates a raw send body against the path's msgId. */
export function validateSendRequest(msgId: number, rawBody: string): SendValidation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return { ok: false, reason: 'invalid-json', message: 'body is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'invalid-body', message: 'body must be an object' };
  }
  const { id, phone, text } = parsed as Record<string, unknown>;
  if (!isPositiveSafeInteger(id)) return { ok: false, reason: 'invalid-body', message: 'id must be a positive integer' };
  if (!isPositiveSafeInteger(phone) || String(phone).length < 10 || String(phone).length > 15) {
    return { ok: false, reason: 'invalid-body', message: 'phone must be an integer of 10 to 15 digits' };
  }
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT_LENGTH) {
    return { ok: false, reason: 'invalid-body', message: `text must be a string of 1 to ${MAX_TEXT_LENGTH} characters` };
  }
  if (id !== msgId) return { ok: false, reason: 'id-mismatch', message: 'body id differs from the path msgId' };
  return { ok: true, body: { id, phone, text } };
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
