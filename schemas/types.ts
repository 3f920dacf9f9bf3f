/**
 * TypeScript shapes of the Avro records in this folder (the .avsc files are the truth; the codec
 * round-trip test keeps these in step). Timestamps are epoch milliseconds in TypeScript as on the wire.
 */
export const CHANNELS = ['sms', 'email', 'push', 'inapp', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PRIORITIES = ['bulk', 'express'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * `test`: a template's test send from the console (ingest/test-send.ts); `report`: the daily statistics
 * email (processors/scheduler/daily-report.ts). Neither is traffic: no statistic counts them unless asked by
 * its source type.
 */
export const SOURCE_TYPES = ['mailing', 'notification', 'welcome', 'episode', 'activity', 'test', 'report'] as const;

/** The source types that are Vestnik talking to its operators, left out of every statistic of traffic. */
export const OPERATOR_SOURCE_TYPES = ['test', 'report'] as const satisfies readonly SourceType[];
export type SourceType = (typeof SOURCE_TYPES)[number];

/** `waiting`: held by the sender until its send window (or quiet hours, or notBefore) allows it; the reason says until when. */
export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'retrying', 'failed', 'expired', 'suppressed', 'fallback', 'waiting'] as const;
export type DeliveryStatusName = (typeof DELIVERY_STATUSES)[number];

/** Statuses after which nothing more happens to a delivery. */
export const FINAL_STATUSES: ReadonlySet<DeliveryStatusName> = new Set(['sent', 'delivered', 'failed', 'expired', 'suppressed', 'fallback']);

export const MAILING_STATUSES = ['scheduled', 'running', 'finished', 'cancelled'] as const;
export type MailingStatus = (typeof MAILING_STATUSES)[number];

/** "HH:mm"–"HH:mm" in the recipient's local time; from > to wraps past midnight. */
export interface TimeWindow { from: string; to: string }

export interface UserRegistered {
  eventId: string; occurredAt: number; userId: string; email: string; name: string; locale: string; timezone: string | null;
}

export interface EpisodeReleased {
  eventId: string; occurredAt: number; seriesId: string; seriesTitle: string; episodeId: string; episodeTitle: string;
  seasonNumber: number | null; episodeNumber: number | null; url: string;
}

export interface NotificationRequested {
  requestId: string; occurredAt: number; templateId: string; userIds: string[]; segmentTags: string[]; contextJson: string;
  priority: Priority; promo: boolean; channels: Channel[]; notBefore: number | null; expiresAt: number | null;
  recurrence: { cron: string; timezone: string } | null; requestedBy: string | null;
}

export interface UserActivity {
  eventId: string; occurredAt: number; userId: string; actorId: string; actorName: string; kind: string;
  objectId: string; objectTitle: string | null; url: string | null;
}

export interface MailingStarted { eventId: string; occurredAt: number; mailingId: string; scheduledFor: number }

/** An operator asked to re-send a mailing's finally failed deliveries (once each, as new deliveries). */
export interface MailingResendRequested { eventId: string; occurredAt: number; mailingId: string; requestedBy: string | null }

export interface Preferences { promo: boolean; channels: Record<string, boolean>; quietHours: TimeWindow | null }

export interface Client {
  id: string; phone: string; operatorCode: string; tags: string[]; timezone: string; email: string | null;
  emailConfirmed: boolean; name: string | null; locale: string; deviceTokens: string[]; preferences: Preferences;
  subscriptions: string[]; updatedAt: number;
}

export interface MailingFilter { operatorCodes: string[]; tags: string[] }

export interface Mailing {
  id: string; text: string | null; templateId: string | null; startAt: number; endAt: number; filter: MailingFilter;
  channel: Channel; sendWindow: TimeWindow | null; promo: boolean; priority: Priority; status: MailingStatus;
  createdAt: number; updatedAt: number;
}

export interface TemplateVariant {
  email: { subject: string; html: string | null; text: string } | null;
  sms: string | null;
  push: { title: string; body: string } | null;
  inapp: string | null;
  /** The text a webhook provider sends (`{{text}}` in its body template); absent or null: none. */
  webhook?: string | null;
}

export interface Template {
  id: string; name: string | null; defaultLocale: string; variants: Record<string, TemplateVariant>;
  contextProvider: string | null; updatedAt: number;
}

export interface MessageContent {
  text: string; subject: string | null; html: string | null; title: string | null; headers: Record<string, string>;
}

export interface DeliveryCommand {
  deliveryId: string; sourceType: SourceType; sourceId: string; clientId: string; channel: Channel; priority: Priority;
  address: string; deviceTokens: string[]; content: MessageContent; fallback: { channel: Channel; address: string } | null;
  promo: boolean; timezone: string; sendWindow: TimeWindow | null; notBefore: number | null; expiresAt: number | null;
  attempt: number; createdAt: number;
}

/**
 * The bulk commands of a fan-out page in one record (deliveries.bulk-pages): what they share once, each
 * distinct content once, and per delivery what differs. It stands for one DeliveryCommand per entry, with
 * attempt 0 (domain/deliveries/command-page.ts); the bulk senders handle those.
 */
export interface DeliveryCommandPage {
  sourceType: SourceType; sourceId: string; channel: Channel; priority: Priority; promo: boolean;
  sendWindow: TimeWindow | null; notBefore: number | null; expiresAt: number | null; createdAt: number;
  contents: MessageContent[];
  entries: {
    deliveryId: string; clientId: string; address: string; deviceTokens: string[]; content: number;
    fallback: { channel: Channel; address: string } | null; timezone: string;
  }[];
}

export interface DeliveryStatus {
  statusId: string; deliveryId: string; sourceType: SourceType; sourceId: string; clientId: string; channel: Channel;
  priority: Priority; status: DeliveryStatusName; attempt: number; reason: string | null; providerMessageId: string | null;
  /** Which of the channel's providers took the call (SMS_SECONDARY_API_URL); null where none was called. */
  provider: string | null;
  occurredAt: number;
}

/**
 * Statuses of one source's deliveries on one channel in one record (deliveries.status-pages): what they share
 * once, and per delivery what differs. A fan-out page's first statuses and a bulk sender chunk's outcomes travel
 * so (domain/deliveries/status-page.ts); analytics inserts the DeliveryStatus each entry stands for.
 */
export interface DeliveryStatusPage {
  sourceType: SourceType; sourceId: string; channel: Channel; priority: Priority; occurredAt: number;
  entries: StatusPageEntry[];
}

/** One delivery's status in a page; `occurredAt` null: the page's. */
export interface StatusPageEntry {
  statusId: string; deliveryId: string; clientId: string; status: DeliveryStatusName; reason: string | null;
  attempt: number; providerMessageId: string | null; provider: string | null; occurredAt: number | null;
}

export interface DeadLetter {
  originalTopic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null;
  consumerGroup: string; reasonCode: string; reason: string; attempts: number; failedAt: number;
}

/** The TypeScript value type of each schema, for typed produce/consume. */
export interface SchemaValues {
  'events.user-registered': UserRegistered;
  'events.episode-released': EpisodeReleased;
  'events.notification-requested': NotificationRequested;
  'events.user-activity': UserActivity;
  'events.mailing-started': MailingStarted;
  'events.mailing-resend-requested': MailingResendRequested;
  'state.clients': Client;
  'state.mailings': Mailing;
  'state.templates': Template;
  'deliveries.command': DeliveryCommand;
  'deliveries.command-page': DeliveryCommandPage;
  'deliveries.status': DeliveryStatus;
  'deliveries.status-page': DeliveryStatusPage;
  'deliveries.dead-letter': DeadLetter;
}
