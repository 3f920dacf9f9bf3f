import { commandOf, deliver, deliveryOf, eventStamp, skip, type RecipientDecision } from '../../domain/deliveries/build';
import { suppressionReason } from '../../domain/deliveries/suppression';
import type { Client, EpisodeReleased, MessageContent, Template } from '../../schemas/types';
import { renderTemplate, templateFailure, type Renderer } from '../rendering/render';

/**
 * The new-episode email, as pure decisions: for one subscriber of the series, the rendered bulk email
 * command, or the status that says why there is none (suppressed, or failed when the template cannot
 * render). The consumer only pages the subscribers and produces what this returns.
 */

export type EpisodeDecision = RecipientDecision;

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

/**
 * The decision for one subscriber. The delivery id depends only on the event and the client, so a
 * replayed event yields the same commands, which senders claim once.
 *
 * Statuses are stamped at the event's time (never later than now), not at "now": a replay then writes
 * rows identical to the first ones (same statusId, same time), which ClickHouse folds, and a replayed
 * `queued` can never look newer than the `sent` the sender recorded in between.
 */
export function decideEpisode(event: EpisodeReleased, client: Client, template: Template, renderer: Renderer, now: number): EpisodeDecision {
  const delivery = deliveryOf({ sourceType: 'episode', sourceId: event.eventId, clientId: client.id, channel: 'email', priority: 'bulk' });
  const at = eventStamp(event.occurredAt, now);
  // Not promo: the subscription is the client's request for exactly these emails.
  const reason = suppressionReason({ promo: false, channel: 'email' }, client);
  if (reason) return skip(delivery, 'suppressed', reason, at);
  let content: MessageContent;
  try {
    content = renderTemplate(renderer, template, 'email', client.locale, episodeContext(event, client));
  } catch (error) {
    return skip(delivery, 'failed', templateFailure(error), at);
  }
  // No send window: an email waits silently in the inbox, and a late episode email is still worth sending.
  return deliver(commandOf(delivery, { address: client.email as string, content, timezone: client.timezone }, now), at);
}
