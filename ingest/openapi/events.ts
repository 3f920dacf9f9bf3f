/** Schemas of the event intake (POST /api/events/{type}, POST /api/notifications). */
import { TOPICS, TopicName } from '../../platform/topics';
import { z } from '../../domain/resources/zod';

/** How each accepted event type maps to its topic, its id field and its Kafka key field. */
export const EVENT_TYPES = {
  'user-registered': { topic: TOPICS.userRegistered, idField: 'eventId', keyField: 'userId' },
  'episode-released': { topic: TOPICS.episodeReleased, idField: 'eventId', keyField: 'seriesId' },
  'notification-requested': { topic: TOPICS.notificationRequested, idField: 'requestId', keyField: 'requestId' },
  'user-activity': { topic: TOPICS.userActivity, idField: 'eventId', keyField: 'userId' },
} as const satisfies Record<string, { topic: TopicName; idField: string; keyField: string }>;

export type EventType = keyof typeof EVENT_TYPES;

export const EventTypeParams = z.object({
  type: z.string().openapi({ param: { description: 'One of the accepted event types' }, enum: Object.keys(EVENT_TYPES) }),
});

/**
 * The body is validated against the topic's Avro schema by the publisher, not here: the .avsc files
 * are the contract, so this schema only requires a JSON object and documents where to look.
 */
export const EventBodySchema = z.record(z.string(), z.unknown()).openapi('EventBody', {
  description:
    'The JSON form of the event (schemas/events.<type>.avsc); timestamps are epoch milliseconds. ' +
    'eventId (requestId for notification-requested) and occurredAt are filled when absent.',
  example: { userId: 'c-42', email: 'ann@example.com', name: 'Ann', locale: 'en', timezone: 'Europe/Moscow' },
});

export const AcceptedSchema = z.object({ id: z.string() }).openapi('Accepted');
