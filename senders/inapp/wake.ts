import { isInboxMessage, type InboxMessage } from './message';

/**
 * What travels on a user's pub/sub channel (KEYS.inappChannel):
 * - `wake`: the sender appended to the pending list; a gateway holding a socket of the user drains it.
 * - `items`: a gateway drained these messages and sent them to its own sockets of the user; the other
 *   gateways (the user may have tabs on several) send them to theirs, so every open socket sees each
 *   message, while the pending list still hands each message out once.
 */
export type WakeSignal =
  | { t: 'wake'; u: string }
  | { t: 'items'; u: string; origin: string; items: InboxMessage[] };

export function encodeWake(signal: WakeSignal): string {
  return JSON.stringify(signal);
}

/** The signal, or null for anything else on the channel (ignored, never thrown). */
export function parseWake(raw: string): WakeSignal | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.u !== 'string' || v.u === '') return null;
  if (v.t === 'wake') return { t: 'wake', u: v.u };
  if (v.t === 'items' && typeof v.origin === 'string' && Array.isArray(v.items) && v.items.every(isInboxMessage)) {
    return { t: 'items', u: v.u, origin: v.origin, items: v.items };
  }
  return null;
}
