import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import { KEYS } from '../../platform/redis/keys';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import type { Client, DeliveryCommand, DeliveryStatus, Mailing, MailingFilter, MessageContent } from '../../schemas/types';

/**
 * The fan-out of a mailing, as pure decisions: which index sets to walk, whether a client matches, and
 * the command (or the suppressed status) for each matching client.
 */

/**
 * The index sets whose union holds every candidate: the operator-code sets when the filter names codes,
 * else the tag sets, else all clients. Each set is walked in id order from a saved cursor.
 */
export function candidateSets(filter: MailingFilter): string[] {
  if (filter.operatorCodes.length > 0) return unique(filter.operatorCodes).map(KEYS.clientsByOperator);
  if (filter.tags.length > 0) return unique(filter.tags).map(KEYS.clientsByTag);
  return [KEYS.clientIds];
}

/** A client matches when its operator code is one of the filter's (if any) and it has any of its tags (if any). */
export function matchesFilter(client: Client, filter: MailingFilter): boolean {
  const codeOk = filter.operatorCodes.length === 0 || filter.operatorCodes.includes(client.operatorCode);
  const tagOk = filter.tags.length === 0 || client.tags.some((tag) => filter.tags.includes(tag));
  return codeOk && tagOk;
}

/**
 * A client in several tag sets is emitted from the first of them only, so the union is walked without
 * remembering who was seen (memory stays flat however large the audience).
 */
export function isFirstSetOf(client: Client, filter: MailingFilter, setIndex: number): boolean {
  if (filter.operatorCodes.length > 0 || filter.tags.length === 0) return true;
  const tags = unique(filter.tags);
  return !tags.slice(0, setIndex).some((tag) => client.tags.includes(tag));
}

export type FanoutDecision =
  | { kind: 'deliver'; command: DeliveryCommand; status: DeliveryStatus }
  | { kind: 'suppress'; status: DeliveryStatus };

/** Why a client gets nothing from this mailing, or null when it may. */
export function suppressionReason(mailing: Mailing, client: Client): string | null {
  if (mailing.promo && !client.preferences.promo) return 'promo opt-out';
  if (client.preferences.channels[mailing.channel] === false) return `${mailing.channel} opt-out`;
  if (addressOf(mailing.channel, client) === null) return `no ${mailing.channel} address`;
  return null;
}

function addressOf(channel: Mailing['channel'], client: Client): string | null {
  switch (channel) {
    case 'sms': return client.phone || null; // '' = no phone (a registered user)
    case 'email': return client.email;
    case 'push': return client.deviceTokens.length > 0 ? client.id : null;
    case 'inapp': return client.id;
  }
}

/** One client's outcome of a mailing: a rendered command with its `queued` status, or `suppressed`. */
export function decideForClient(mailing: Mailing, client: Client, content: MessageContent, now: number): FanoutDecision {
  const deliveryId = deliveryIdOf('mailing', mailing.id, client.id, mailing.channel);
  const status = (name: DeliveryStatus['status'], reason: string | null): DeliveryStatus => ({
    statusId: statusIdOf(deliveryId, name, 0), deliveryId, sourceType: 'mailing', sourceId: mailing.id,
    clientId: client.id, channel: mailing.channel, priority: mailing.priority, status: name, attempt: 0, reason,
    providerMessageId: null, occurredAt: now,
  });
  const reason = suppressionReason(mailing, client);
  if (reason !== null) return { kind: 'suppress', status: status('suppressed', reason) };
  const command: DeliveryCommand = {
    deliveryId, sourceType: 'mailing', sourceId: mailing.id, clientId: client.id, channel: mailing.channel,
    priority: mailing.priority, address: addressOf(mailing.channel, client) as string,
    deviceTokens: mailing.channel === 'push' ? client.deviceTokens : [], content, fallback: null,
    promo: mailing.promo, timezone: client.timezone, sendWindow: mailing.sendWindow, notBefore: null,
    expiresAt: mailing.endAt, attempt: 0, createdAt: now,
  };
  return { kind: 'deliver', command, status: status('queued', null) };
}

/** The client's unsubscribe URL when the mailing is promo email (it then goes in headers, context, footer), else null. */
export function unsubscribeUrlFor(mailing: Mailing, client: Client, link: UnsubscribeLinks | undefined): string | null {
  return mailing.promo && mailing.channel === 'email' && link ? link(client.id) : null;
}

/** The template context of a client in a mailing; `unsubscribeUrl` is there for promo email. */
export function mailingContext(mailing: Mailing, client: Client, unsubscribeUrl: string | null = null): object {
  return {
    client: { id: client.id, name: client.name, locale: client.locale, tags: client.tags },
    name: client.name,
    mailing: { id: mailing.id },
    ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
  };
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
