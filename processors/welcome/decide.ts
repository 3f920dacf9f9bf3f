import { commandOf, deliveryOf, eventStamp, statusOf } from '../../domain/deliveries/build';
import type { Client, DeliveryCommand, DeliveryStatus, UserRegistered } from '../../schemas/types';
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

/** A registered user's client record has no phone until one is given ('' is "none": no SMS address). */
export const NO_PHONE = '';

/** The preferences a client starts with when the API creates one without them. */
const DEFAULT_PREFERENCES: Client['preferences'] = { promo: true, channels: {}, quietHours: null };

/**
 * The welcome processor owns a new user's client record (README, "welcome"): a registration of a user
 * with no client creates one (id = userId) from the event's email, name, locale and time zone, so the
 * confirmation link has an email to mark and the fan-outs can reach the user. An existing client is
 * never overwritten: only its missing email and name are filled in. Null when there is nothing to write,
 * which makes a replayed registration a no-op.
 */
export function decideWelcomeClient(event: UserRegistered, existing: Client | null, now: number): Client | null {
  if (!existing) {
    return {
      id: event.userId, phone: NO_PHONE, operatorCode: '', tags: [], timezone: event.timezone ?? 'UTC', email: event.email,
      emailConfirmed: false, name: event.name, locale: event.locale, deviceTokens: [], preferences: DEFAULT_PREFERENCES,
      subscriptions: [], updatedAt: now,
    };
  }
  const filled = { email: existing.email ?? event.email, name: existing.name ?? event.name };
  if (filled.email === existing.email && filled.name === existing.name) return null;
  // A newly filled address is the one the welcome link confirms: unconfirmed until it is clicked.
  const emailConfirmed = filled.email === existing.email ? existing.emailConfirmed : false;
  return { ...existing, ...filled, emailConfirmed, updatedAt: now };
}
