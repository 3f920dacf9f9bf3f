import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type { Client, DeliveryCommand, DeliveryStatus, DeliveryStatusName, EpisodeReleased, MessageContent, Template } from '../../schemas/types';
import { renderTemplate, type Renderer } from '../rendering/render';

/**
 * The new-episode email, as pure decisions: for one subscriber of the series, the rendered bulk email
 * command, or the status that says why there is none (suppressed, or failed when the template cannot
 * render). The consumer only pages the subscribers and produces what this returns.
 */

export type EpisodeDecision =
  | { kind: 'deliver'; command: DeliveryCommand; status: DeliveryStatus }
  | { kind: 'skip'; status: DeliveryStatus };

/**
 * Whether the client's own doc still lists the series. The subscriber index and the doc are written in
 * one MULTI, but a client may unsubscribe between the fan-out's index read and its MGET: the doc is the
 * newer word, and someone who left the series gets nothing (not even a status).
 */
export function isSubscriber(client: Client, seriesId: string): boolean {
  return client.subscriptions.includes(seriesId);
}

/** What the template sees: the subscriber's name and the episode. */
export function episodeContext(event: EpisodeReleased, client: Client): Record<string, unknown> {
  return {
    name: client.name, seriesTitle: event.seriesTitle, episodeTitle: event.episodeTitle, seasonNumber: event.seasonNumber,
    episodeNumber: event.episodeNumber, url: event.url, seriesId: event.seriesId, episodeId: event.episodeId,
    client: { id: client.id, name: client.name, locale: client.locale },
  };
}

function suppression(client: Client): string | null {
  if (client.preferences.channels.email === false) return 'email opt-out';
  if (!client.email) return 'no email address';
  return null;
}

/**
 * The decision for one subscriber. The delivery id depends only on the event and the client, so a
 * replayed event yields the same commands, which senders claim once.
 *
 * Statuses are stamped at the event's time (never later than now), not at "now": a replay then writes
 * rows identical to the first ones (same statusId, same time), which ClickHouse folds, and a replayed
 * `queued` can never look newer than the `sent` the sender recorded in between.
 */
export function decideEpisode(event: EpisodeReleased, client: Client, template: Template, renderer: Renderer, now: number): EpisodeDecision {
  const deliveryId = deliveryIdOf('episode', event.eventId, client.id, 'email');
  const statusAt = Math.min(event.occurredAt, now);
  const status = (name: DeliveryStatusName, reason: string | null): DeliveryStatus => ({
    statusId: statusIdOf(deliveryId, name, 0), deliveryId, sourceType: 'episode', sourceId: event.eventId, clientId: client.id,
    channel: 'email', priority: 'bulk', status: name, attempt: 0, reason, providerMessageId: null, occurredAt: statusAt,
  });
  const reason = suppression(client);
  if (reason) return { kind: 'skip', status: status('suppressed', reason) };
  let content: MessageContent;
  try {
    content = renderTemplate(renderer, template, 'email', client.locale, episodeContext(event, client));
  } catch (error) {
    return { kind: 'skip', status: status('failed', templateFailure(error)) };
  }
  const command: DeliveryCommand = {
    deliveryId, sourceType: 'episode', sourceId: event.eventId, clientId: client.id, channel: 'email', priority: 'bulk',
    address: client.email as string, deviceTokens: [], content, fallback: null,
    // Not promo: the subscription is the client's request for exactly these emails.
    promo: false, timezone: client.timezone,
    // No send window: an email waits silently in the inbox, and a late episode email is still worth sending.
    sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: now,
  };
  return { kind: 'deliver', command, status: status('queued', null) };
}

/** "template failed: <why>", with the Handlebars error under the renderer's generic one. */
function templateFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `template failed: ${message}${cause}`;
}
