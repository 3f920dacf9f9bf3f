import { INAPP_URL_HEADER } from '../../domain/deliveries/headers';
import type { DeliveryCommand } from '../../schemas/types';

/**
 * One in-app message as the inbox stores it and the websocket shows it. The id is the delivery id, so
 * a command delivered twice (a sender crash and replay) is the same message and is kept once.
 */
export interface InboxMessage {
  id: string;
  title: string | null;
  text: string;
  url: string | null;
  createdAt: number;
}


/** The message an in-app command puts into the user's inbox. */
export function toInboxMessage(command: DeliveryCommand): InboxMessage {
  return {
    id: command.deliveryId,
    title: command.content.title,
    text: command.content.text,
    url: command.content.headers[INAPP_URL_HEADER] ?? null,
    createdAt: command.createdAt,
  };
}

export function encodeInboxMessage(message: InboxMessage): string {
  return JSON.stringify(message);
}

/** A stored message, or null when the value is missing or not one (never throws: a bad value is skipped). */
export function decodeInboxMessage(raw: string | null | undefined): InboxMessage | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  return isInboxMessage(value) ? value : null;
}

export function isInboxMessage(value: unknown): value is InboxMessage {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  return typeof m.id === 'string' && m.id !== '' && typeof m.text === 'string' && typeof m.createdAt === 'number'
    && (m.title === null || typeof m.title === 'string') && (m.url === null || typeof m.url === 'string');
}

export { INAPP_URL_HEADER };
