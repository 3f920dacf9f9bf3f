/**
 * What makes a registration event unusable for a welcome email: events.user-registered is open to
 * any service (POST /api/events/user-registered checks only the Avro shape), so an address that is
 * not an address or an unknown time zone is refused here, with the reason, instead of failing later
 * at the SMTP server with nothing to show why.
 */
import { isKnownTimeZone } from '../../platform/time-zones';
import { instantProblem, zodProblems } from '../../platform/kafka/invalid-record';
import type { UserRegistered } from '../../schemas/types';
import { Locale, ResourceId } from '../../domain/resources/common';
import { z } from '../../domain/resources/zod';

const Email = z.email();

/** Every problem of the event; empty when a welcome email can be made from it. */
export function userRegisteredProblems(event: UserRegistered): string[] {
  return [
    ...(event.eventId === '' ? ['eventId: required'] : []),
    ...instantProblem('occurredAt', event.occurredAt),
    ...zodProblems(ResourceId, event.userId).map((p) => p.replace('(record)', 'userId')),
    ...zodProblems(Email, event.email).map((p) => p.replace('(record)', 'email')),
    ...zodProblems(Locale, event.locale).map((p) => p.replace('(record)', 'locale')),
    ...(event.timezone === null || isKnownTimeZone(event.timezone) ? [] : [`timezone: unknown IANA time zone ${JSON.stringify(event.timezone)}`]),
  ];
}
