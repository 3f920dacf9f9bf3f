import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import type {
  Channel, Client, DeliveryCommand, DeliveryStatus, DeliveryStatusName, MessageContent, NotificationRequested, Template, TimeWindow,
} from '../../schemas/types';
import { NO_CONTEXT_REASON } from '../context-providers/merge';
import { renderTemplate, type Renderer } from '../rendering/render';
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

function addressOf(channel: Channel, client: Client): string | null {
  switch (channel) {
    case 'sms': return client.phone || null; // '' = no phone (a registered user)
    case 'email': return client.email;
    case 'push': return client.deviceTokens.length > 0 ? client.id : null;
    case 'inapp': return client.id;
  }
}

function suppression(request: NotificationRequested, client: Client, channel: Channel): string | null {
  if (request.promo && !client.preferences.promo) return 'promo opt-out';
  if (client.preferences.channels[channel] === false) return `${channel} opt-out`;
  if (addressOf(channel, client) === null) return `no ${channel} address`;
  return null;
}

export type NotificationDecision =
  | { kind: 'deliver'; command: DeliveryCommand; status: DeliveryStatus }
  | { kind: 'skip'; status: DeliveryStatus };

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
  return channelsFor(request, client).map((channel) => {
    const deliveryId = deliveryIdOf('notification', request.requestId, client.id, channel);
    const status = (name: DeliveryStatusName, reason: string | null): DeliveryStatus => ({
      statusId: statusIdOf(deliveryId, name, 0), deliveryId, sourceType: 'notification', sourceId: request.requestId,
      clientId: client.id, channel, priority: request.priority, status: name, attempt: 0, reason, providerMessageId: null,
      occurredAt: now,
    });
    const reason = suppression(request, client, channel);
    if (reason) return { kind: 'skip', status: status('suppressed', reason) };
    if (recipientContext === null) return { kind: 'skip', status: status('failed', NO_CONTEXT_REASON) };
    let content: MessageContent;
    try {
      content = renderTemplate(renderer, template, channel, client.locale, context);
    } catch (error) {
      return { kind: 'skip', status: status('failed', `template failed: ${(error as Error).message}`) };
    }
    const fallback = channel === 'push' && client.email && request.channels.length === 0
      ? { channel: 'email' as const, address: client.email } : null;
    if (unsubscribeUrl) content = promoContent(content, channel, fallback !== null, unsubscribeUrl);
    const command: DeliveryCommand = {
      deliveryId, sourceType: 'notification', sourceId: request.requestId, clientId: client.id, channel,
      priority: request.priority, address: addressOf(channel, client) as string,
      deviceTokens: channel === 'push' ? client.deviceTokens : [], content,
      fallback,
      promo: request.promo, timezone: client.timezone, sendWindow: sendWindowFor(request, client),
      notBefore: request.notBefore, expiresAt: request.expiresAt, attempt: 0, createdAt: now,
    };
    return { kind: 'deliver', command, status: status('queued', null) };
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
