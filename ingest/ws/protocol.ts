import type { HistoryItem } from '../../senders/inapp/inbox';
import type { InboxMessage } from '../../senders/inapp/message';

/**
 * The websocket protocol, JSON text frames.
 *
 * Server → client:
 *   { type: 'notification', id, title, text, url, createdAt }   a message (pending on connect, then live)
 *   { type: 'read', id }                                        ack of a read mark
 *   { type: 'history', items: [{ ...notification, read, readAt }] }  newest first
 *   { type: 'error', code, message, id? }                       a client frame that could not be served
 * Client → server:
 *   { type: 'read', id }          mark a delivered message read
 *   { type: 'history', limit? }   the newest delivered messages (limit 1..HISTORY_LIMIT_MAX, default 20)
 */
export type ServerFrame =
  | ({ type: 'notification' } & InboxMessage)
  | { type: 'read'; id: string }
  | { type: 'history'; items: HistoryItem[] }
  | { type: 'error'; code: 'BAD_REQUEST' | 'NOT_FOUND' | 'INTERNAL'; message: string; id?: string };

export type ClientMessage = { type: 'read'; id: string } | { type: 'history'; limit: number };

export const HISTORY_LIMIT_DEFAULT = 20;
export const HISTORY_LIMIT_MAX = 100;
/** Ids are delivery ids (uuids); anything much longer is not one. */
const MAX_ID_LENGTH = 200;

export function notificationFrame(message: InboxMessage): ServerFrame {
  return { type: 'notification', id: message.id, title: message.title, text: message.text, url: message.url, createdAt: message.createdAt };
}

export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** A client frame, or why it is not one (answered with an error frame; the socket stays open). */
export function parseClientMessage(raw: string): { ok: true; message: ClientMessage } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'expected a JSON object' };
  const v = value as Record<string, unknown>;
  switch (v.type) {
    case 'read':
      if (typeof v.id !== 'string' || v.id === '' || v.id.length > MAX_ID_LENGTH) return { ok: false, reason: 'read needs a message id' };
      return { ok: true, message: { type: 'read', id: v.id } };
    case 'history': {
      if (v.limit === undefined) return { ok: true, message: { type: 'history', limit: HISTORY_LIMIT_DEFAULT } };
      if (typeof v.limit !== 'number' || !Number.isInteger(v.limit) || v.limit < 1 || v.limit > HISTORY_LIMIT_MAX) {
        return { ok: false, reason: `history limit must be an integer 1..${HISTORY_LIMIT_MAX}` };
      }
      return { ok: true, message: { type: 'history', limit: v.limit } };
    }
    default:
      return { ok: false, reason: 'unknown message type' };
  }
}
