import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type { Client, DeliveryCommand, DeliveryStatus, DeliveryStatusName, MessageContent, Template, UserActivity } from '../../schemas/types';
import { INAPP_URL_HEADER } from '../../senders/inapp/message';
import { pickVariant, renderTemplate, type Renderer } from '../rendering/render';
import { builtinActivityTemplate } from './template';

export type ActivityDecision =
  | { kind: 'deliver'; command: DeliveryCommand; status: DeliveryStatus }
  | { kind: 'skip'; status: DeliveryStatus };

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
  const deliveryId = deliveryIdOf('activity', event.eventId, event.userId, 'inapp');
  const status = (name: DeliveryStatusName, reason: string | null): DeliveryStatus => ({
    statusId: statusIdOf(deliveryId, name, 0), deliveryId, sourceType: 'activity', sourceId: event.eventId, clientId: event.userId,
    channel: 'inapp', priority: 'express', status: name, attempt: 0, reason, providerMessageId: null, occurredAt: lookups.now,
  });
  const { client } = lookups;
  if (!client) return { kind: 'skip', status: status('suppressed', 'unknown client') };
  if (client.preferences.channels.inapp === false) return { kind: 'skip', status: status('suppressed', 'inapp opt-out') };
  let content: MessageContent;
  try {
    content = renderActivity(event, client, lookups);
  } catch (error) {
    return { kind: 'skip', status: status('failed', `template failed: ${(error as Error).message}`) };
  }
  const command: DeliveryCommand = {
    deliveryId, sourceType: 'activity', sourceId: event.eventId, clientId: client.id, channel: 'inapp', priority: 'express',
    address: client.id, deviceTokens: [], content, fallback: null, promo: false, timezone: client.timezone, sendWindow: null,
    notBefore: null, expiresAt: null, attempt: 0, createdAt: lookups.now,
  };
  return { kind: 'deliver', command, status: status('queued', null) };
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
