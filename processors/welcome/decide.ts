import { commandOf, deliveryOf, eventStamp, statusOf } from '../../domain/deliveries/build';
import type { DeliveryCommand, DeliveryStatus, UserRegistered } from '../../schemas/types';
import { createRenderer, renderTemplate, type Renderer } from '../rendering/render';
import { WELCOME_TEMPLATE } from './template';

/** What the link store says a welcome link is for (the route's onConfirmed switches on it). */
export const EMAIL_CONFIRMATION = 'email-confirmation';

export interface WelcomeLookups {
  /** The confirmation link's code, created once per event (a replay gets the same one). */
  linkCode: string;
  /** PUBLIC_BASE_URL: where GET /l/{code} is served. */
  baseUrl: string;
  now: number;
  /** How long the link is valid: said in the email. */
  ttlMs: number;
  /** Shared by the consumer so the template compiles once; a fresh one otherwise. */
  renderer?: Renderer;
}

export interface WelcomeDecision {
  command: DeliveryCommand;
  status: DeliveryStatus;
}

/** The link a welcome email carries. */
export function confirmUrlOf(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/l/${encodeURIComponent(code)}`;
}

/**
 * The welcome email of a registration: one express email command to the user's address and its
 * `queued` status. The delivery id depends only on the event and the user, so a replayed event
 * produces the same command and the sender sends it once. No expiry: a welcome email is still worth
 * sending late (the link carries its own expiry).
 */
export function decideWelcome(event: UserRegistered, lookups: WelcomeLookups): WelcomeDecision {
  const renderer = lookups.renderer ?? createRenderer();
  const context = {
    name: event.name,
    confirmUrl: confirmUrlOf(lookups.baseUrl, lookups.linkCode),
    expiresInHours: Math.max(1, Math.round(lookups.ttlMs / 3_600_000)),
  };
  const content = renderTemplate(renderer, WELCOME_TEMPLATE, 'email', event.locale, context);
  const delivery = deliveryOf({ sourceType: 'welcome', sourceId: event.eventId, clientId: event.userId, channel: 'email', priority: 'express' });
  const command = commandOf(delivery, { address: event.email, content, timezone: event.timezone ?? 'UTC' }, lookups.now);
  return { command, status: statusOf(command, 'queued', eventStamp(event.occurredAt, lookups.now)) };
}
