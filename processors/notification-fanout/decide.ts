import { commandOf, deliver, deliveryOf, eventStamp, skip, type RecipientDecision } from '../../domain/deliveries/build';
import { addressOf, suppressionReason } from '../../domain/deliveries/suppression';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import type { Channel, Client, MessageContent, NotificationRequested, Template, TimeWindow } from '../../schemas/types';
import { NO_CONTEXT_REASON } from '../context-providers/merge';
import { renderTemplate, templateFailure, type Renderer } from '../rendering/render';
import { unsubscribeHeaders, withUnsubscribeLink } from '../rendering/unsubscribe-link';

/**
 * The single window's routing, as pure decisions: which channels a recipient gets a notification on, and
 * for each the rendered command or the reason it is suppressed or failed.
 */

/** Channels for a recipient: the requested ones, or push (falling back to email) when the client has a device, else email, else SMS. */
export function channelsFor(request: NotificationRequested, client: Client): Channel[] {
  if (request.channels.length > 0) return [...new Set(request.channels)];
  if (client.deviceTokens.length > 0 && client.preferences.channels.push !== false) return ['push'];
  if (client.email) return ['email'];
  return ['sms'];
}

/** Quiet hours are the complement of a send window; express messages ignore them. */
export function sendWindowFor(request: NotificationRequested, client: Client): TimeWindow | null {
  const quiet = client.preferences.quietHours;
  if (request.priority === 'express' || !quiet || quiet.from === quiet.to) return null;
  return { from: quiet.to, to: quiet.from };
}

export type NotificationDecision = RecipientDecision;

/** Every decision for one recipient of a request (one per channel). */
export function decideNotification(
  request: NotificationRequested,
  client: Client,
  template: Template,
  renderer: Renderer,
  now: number,
  /** The request's parsed context; a fan-out parses it once per request, not once per recipient. */
  requestContext: Record<string, unknown> = parseContext(request.contextJson),
  /** Builds a client's unsubscribe URL; promo emails then carry it (headers, `{{unsubscribeUrl}}`, footer). */
  unsubscribeLink?: UnsubscribeLinks,
  /**
   * The recipient's own context from the template's provider (`{ monthlyDigest: {...} }`, see
   * context-providers/merge.ts), or null when the template has one and the service gave nothing for them.
   */
  recipientContext: Record<string, unknown> | null = {},
): NotificationDecision[] {
  const unsubscribeUrl = request.promo && unsubscribeLink ? unsubscribeLink(client.id) : null;
  const context = {
    ...requestContext, ...recipientContext, name: client.name, client: { id: client.id, name: client.name, locale: client.locale },
    ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
  };
  // Stamped at the request's time (see domain/deliveries/build.ts): a replayed request writes identical statuses.
  const at = eventStamp(request.occurredAt, now);
  return channelsFor(request, client).map((channel) => {
    const delivery = deliveryOf({ sourceType: 'notification', sourceId: request.requestId, clientId: client.id, channel, priority: request.priority });
    const reason = suppressionReason({ promo: request.promo, channel }, client);
    if (reason) return skip(delivery, 'suppressed', reason, at);
    if (recipientContext === null) return skip(delivery, 'failed', NO_CONTEXT_REASON, at);
    let content: MessageContent;
    try {
      content = renderTemplate(renderer, template, channel, client.locale, context);
    } catch (error) {
      return skip(delivery, 'failed', templateFailure(error), at);
    }
    const fallback = channel === 'push' && client.email && request.channels.length === 0
      ? { channel: 'email' as const, address: client.email } : null;
    if (unsubscribeUrl) content = promoContent(content, channel, fallback !== null, unsubscribeUrl);
    return deliver(commandOf(delivery, {
      address: addressOf(channel, client) as string, content, timezone: client.timezone,
      deviceTokens: channel === 'push' ? client.deviceTokens : [], fallback, promo: request.promo,
      sendWindow: sendWindowFor(request, client), notBefore: request.notBefore, expiresAt: request.expiresAt,
    }, now), at);
  });
}

/**
 * A promo email gets the unsubscribe headers and link; a promo push that may fall back to email gets
 * the headers, which the fallback email inherits (push providers ignore them).
 */
function promoContent(content: MessageContent, channel: Channel, emailFallback: boolean, url: string): MessageContent {
  if (channel === 'email') return withUnsubscribeLink(content, url);
  if (channel === 'push' && emailFallback) return { ...content, headers: { ...content.headers, ...unsubscribeHeaders(url) } };
  return content;
}

/** The request's context object; a malformed one is an empty context (validated at the API already). */
export function parseContext(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
