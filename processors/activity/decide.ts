import { commandOf, deliver, deliveryOf, eventStamp, skip, type RecipientDecision } from '../../domain/deliveries/build';
import { suppressionReason } from '../../domain/deliveries/suppression';
import type { Client, MessageContent, Template, UserActivity } from '../../schemas/types';
import { INAPP_URL_HEADER } from '../../domain/deliveries/headers';
import { pickVariant, renderTemplate, templateFailure, type Renderer } from '../rendering/render';
import { builtinActivityTemplate } from './template';

export type ActivityDecision = RecipientDecision;

export interface ActivityLookups {
  /** The recipient from the directory view; null when the user is not a known client. */
  client: Client | null;
  /** The admin-stored `user-activity` template, if any. */
  override: Template | null;
  renderer: Renderer;
  now: number;
}

/**
 * One in-app notification per activity event, to the owner of the content (event.userId): an express
 * command and its `queued` status, or a `suppressed` status (unknown user, in-app opted out), or a
 * `failed` one (the admin's template cannot render). The delivery id depends only on the event and the
 * user, so a replayed event is the same delivery, which the sender sends once.
 */
export function decideActivity(event: UserActivity, lookups: ActivityLookups): ActivityDecision {
  const delivery = deliveryOf({ sourceType: 'activity', sourceId: event.eventId, clientId: event.userId, channel: 'inapp', priority: 'express' });
  const at = eventStamp(event.occurredAt, lookups.now);
  const { client } = lookups;
  if (!client) return skip(delivery, 'suppressed', 'unknown client', at);
  const reason = suppressionReason({ promo: false, channel: 'inapp' }, client);
  if (reason) return skip(delivery, 'suppressed', reason, at);
  let content: MessageContent;
  try {
    content = renderActivity(event, client, lookups);
  } catch (error) {
    return skip(delivery, 'failed', templateFailure(error), at);
  }
  return deliver(commandOf(delivery, { address: client.id, content, timezone: client.timezone }, lookups.now), at);
}

/**
 * Text from the template's in-app part, title from its push title (the Template shape has no in-app
 * title; a template written for push then serves both), url from the event. The admin's template wins
 * when it has an in-app text for the client's locale (or its fallback); otherwise the built-in one.
 */
export function renderActivity(event: UserActivity, client: Client, lookups: Pick<ActivityLookups, 'override' | 'renderer'>): MessageContent {
  const context = {
    actorName: event.actorName, actorId: event.actorId, kind: event.kind, objectId: event.objectId,
    objectTitle: event.objectTitle, url: event.url, name: client.name,
  };
  const override = lookups.override && pickVariant(lookups.override, client.locale)?.inapp ? lookups.override : null;
  const template = override ?? builtinActivityTemplate(event.kind);
  const content = renderTemplate(lookups.renderer, template, 'inapp', client.locale, context);
  const titleSource = pickVariant(template, client.locale)?.push?.title;
  return {
    ...content,
    title: titleSource ? lookups.renderer.render(titleSource, context) : null,
    headers: event.url ? { [INAPP_URL_HEADER]: event.url } : {},
  };
}
