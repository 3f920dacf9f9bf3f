/**
 * The contract checks of FCM HTTP v1 `POST /v1/projects/{project}/messages:send`, pure so they are
 * unit-tested without a socket. Error bodies follow Google's shape: `{ error: { code, message, status,
 * details } }`, with an FcmError detail carrying FCM's errorCode and, for a bad field, a BadRequest
 * detail naming it — the sender tells "this token is bad" from "this message is bad" by that field.
 */
export interface PushSendBody {
  token: string;
  title: string;
  body: string;
  data: Record<string, string> | null;
}

export type FcmErrorCode = 'UNREGISTERED' | 'INVALID_ARGUMENT' | 'QUOTA_EXCEEDED' | 'UNAVAILABLE' | 'INTERNAL' | 'THIRD_PARTY_AUTH_ERROR';

export interface FcmErrorBody {
  error: { code: number; message: string; status: string; details: Array<Record<string, unknown>> };
}

export type PushSendValidation =
  | { ok: true; body: PushSendBody }
  | { ok: false; badField: string; message: string };

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
/** FCM registration tokens are long URL-safe strings; anything else is rejected as malformed. */
const TOKEN_FORMAT = /^[A-Za-z0-9_:-]{8,4096}$/;
const MAX_FIELD_LENGTH = 4096;

/** The project segment of a send path, or null for any other path. */
export function matchPushSendPath(pathname: string): string | null {
  return SEND_PATH.exec(pathname)?.[1] ?? null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isShortString = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_FIELD_LENGTH;

/** Validates a raw send body; a failure names the offending field as FCM's BadRequest detail does. */
export function validatePushSendRequest(rawBody: string): PushSendValidation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return { ok: false, badField: '', message: 'Invalid JSON payload received.' };
  }
  const message = isRecord(parsed) ? parsed.message : undefined;
  if (!isRecord(message)) return { ok: false, badField: 'message', message: 'message must be an object' };
  const { token, notification, data } = message;
  if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) {
    return { ok: false, badField: 'message.token', message: 'The registration token is not a valid FCM registration token' };
  }
  if (!isRecord(notification) || !isShortString(notification.title) || !isShortString(notification.body)) {
    return { ok: false, badField: 'message.notification', message: 'notification needs a string title and body' };
  }
  if (data !== undefined && (!isRecord(data) || !Object.values(data).every((v) => typeof v === 'string'))) {
    return { ok: false, badField: 'message.data', message: 'data values must be strings' };
  }
  return { ok: true, body: { token, title: notification.title, body: notification.body, data: (data as Record<string, string> | undefined) ?? null } };
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE',
};

/** Google's error body for an HTTP status, with the FcmError detail and, optionally, the bad field. */
export function fcmError(code: number, errorCode: FcmErrorCode, message: string, badField?: string): FcmErrorBody {
  const details: Array<Record<string, unknown>> = [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }];
  if (badField) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: badField, description: message }] });
  }
  return { error: { code, message, status: STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'UNKNOWN'), details } };
}

/** The FCM errorCode a fault status is answered with. */
export function faultErrorCode(status: number): FcmErrorCode {
  if (status === 429) return 'QUOTA_EXCEEDED';
  return status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
