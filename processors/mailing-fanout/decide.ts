import {
  commandOf, deliver, deliveryOf, resendOf, resendReason, skip, type DeliveryRef, type RecipientDecision,
} from '../../domain/deliveries/build';
import { addressOf, suppressionReason } from '../../domain/deliveries/suppression';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import type { Client, Mailing, MessageContent } from '../../schemas/types';
import { NO_CONTEXT_REASON } from '../context-providers/merge';
import { templateFailure } from '../rendering/render';

/**
 * The fan-out of a mailing, as pure decisions: for each matching client, the rendered command and its
 * `queued` status, or the status that says why there is none. Who matches is domain/audience.ts.
 */

/** The delivery of a client in a mailing; its id is the same on every replay. */
export function mailingDelivery(mailing: Mailing, client: Client): DeliveryRef {
  return deliveryOf({ sourceType: 'mailing', sourceId: mailing.id, clientId: client.id, channel: mailing.channel, priority: mailing.priority });
}

/**
 * One client's outcome of a mailing: `suppressed` (the reason), `failed` (the context provider gave
 * nothing for them, `render` is null; or the template cannot render for them), else the command with
 * its content. `render` runs only for a client who gets a message. Statuses are stamped `at` (the
 * mailing's start, see domain/deliveries/build.ts); the command is created `now`.
 */
export function decideForClient(
  mailing: Mailing, client: Client, render: (() => MessageContent) | null, now: number, at: number = now,
): RecipientDecision {
  return decideDelivery(mailing, client, mailingDelivery(mailing, client), null, render, now, at);
}

/**
 * The `round`-th re-send of a client's failed delivery in a mailing: the same rules as the first send
 * (a client who opted out since is `suppressed`, not re-sent), as a new delivery whose `queued` names
 * the original (domain/deliveries/build.ts `resendOf`).
 */
export function decideResend(
  mailing: Mailing, client: Client, round: number, render: (() => MessageContent) | null, now: number, at: number = now,
): RecipientDecision {
  const original = mailingDelivery(mailing, client);
  return decideDelivery(mailing, client, resendOf(original, round), resendReason(original.deliveryId, round), render, now, at);
}

function decideDelivery(
  mailing: Mailing, client: Client, delivery: DeliveryRef, queuedReason: string | null,
  render: (() => MessageContent) | null, now: number, at: number,
): RecipientDecision {
  const reason = suppressionReason(mailing, client);
  if (reason !== null) return skip(delivery, 'suppressed', reason, at);
  if (render === null) return skip(delivery, 'failed', NO_CONTEXT_REASON, at);
  let content: MessageContent;
  try {
    content = render();
  } catch (error) {
    return skip(delivery, 'failed', templateFailure(error), at);
  }
  return deliver(commandOf(delivery, {
    address: addressOf(mailing.channel, client) as string, content, timezone: client.timezone,
    deviceTokens: mailing.channel === 'push' ? client.deviceTokens : [], promo: mailing.promo,
    sendWindow: mailing.sendWindow, expiresAt: mailing.endAt,
  }, now), at, queuedReason);
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
