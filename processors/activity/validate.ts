/**
 * What makes a user-activity event unusable for an in-app notification. events.user-activity is open to
 * any service, so the consumer refuses here, with the reason (dead letter), an event that names nobody
 * (no user id), says nothing (no actor, kind or object), has an impossible time, or carries a link that
 * is not http(s) — the app opens it, and a `javascript:` URL must never reach a user.
 */
import { httpUrlProblem, instantProblem, zodProblems } from '../../platform/kafka/invalid-record';
import type { UserActivity } from '../../schemas/types';
import { ResourceId } from '../../domain/resources/common';

/** Every problem of the event; empty when a notification may be decided from it. */
export function userActivityProblems(event: UserActivity): string[] {
  return [
    ...(event.eventId.trim() === '' ? ['eventId: required'] : []),
    ...instantProblem('occurredAt', event.occurredAt),
    ...zodProblems(ResourceId, event.userId).map((p) => p.replace('(record)', 'userId')),
    ...(['actorId', 'kind', 'objectId'] as const).flatMap((field) => (event[field].trim() === '' ? [`${field}: required`] : [])),
    ...httpUrlProblem('url', event.url),
  ];
}
