import { deliveryIdOf, statusIdOf } from '../../platform/ids';
import type {
  Channel, Client, DeliveryCommand, DeliveryStatus, DeliveryStatusName, MessageContent, NotificationRequested, Template, TimeWindow,
} from '../../schemas/types';
import { renderTemplate, type Renderer } from '../rendering/render';

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
    case 'sms': return client.phone;
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
): NotificationDecision[] {
  const context = { ...requestContext, name: client.name, client: { id: client.id, name: client.name, locale: client.locale } };
  return channelsFor(request, client).map((channel) => {
    const deliveryId = deliveryIdOf('notification', request.requestId, client.id, channel);
    const status = (name: DeliveryStatusName, reason: string | null): DeliveryStatus => ({
      statusId: statusIdOf(deliveryId, name, 0), deliveryId, sourceType: 'notification', sourceId: request.requestId,
      clientId: client.id, channel, priority: request.priority, status: name, attempt: 0, reason, providerMessageId: null,
      occurredAt: now,
    });
    const reason = suppression(request, client, channel);
    if (reason) return { kind: 'skip', status: status('suppressed', reason) };
    let content: MessageContent;
    try {
      content = renderTemplate(renderer, template, channel, client.locale, context);
    } catch (error) {
      return { kind: 'skip', status: status('failed', `template failed: ${(error as Error).message}`) };
    }
    const command: DeliveryCommand = {
      deliveryId, sourceType: 'notification', sourceId: request.requestId, clientId: client.id, channel,
      priority: request.priority, address: addressOf(channel, client) as string,
      deviceTokens: channel === 'push' ? client.deviceTokens : [], content,
      fallback: channel === 'push' && client.email && request.channels.length === 0 ? { channel: 'email', address: client.email } : null,
      promo: request.promo, timezone: client.timezone, sendWindow: sendWindowFor(request, client),
      notBefore: request.notBefore, expiresAt: request.expiresAt, attempt: 0, createdAt: now,
    };
    return { kind: 'deliver', command, status: status('queued', null) };
  });
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
