/**
 * What makes a mailing-started event unusable: the scheduler writes them, but the topic is open to
 * any producer, and an event without a usable mailing id or start time can only be dead-lettered.
 * A mailing id the view does not know is refused by the fan-out itself (run.ts) when it loads it.
 */
import { instantProblem, zodProblems } from '../../platform/kafka/invalid-record';
import type { MailingStarted } from '../../schemas/types';
import { ResourceId } from '../../domain/resources/common';

/** Every problem of the event; empty when the fan-out may look the mailing up. */
export function mailingStartedProblems(event: MailingStarted): string[] {
  return [
    ...(event.eventId.trim() === '' ? ['eventId: required'] : []),
    ...zodProblems(ResourceId, event.mailingId).map((p) => p.replace('(record)', 'mailingId')),
    ...instantProblem('occurredAt', event.occurredAt),
    ...instantProblem('scheduledFor', event.scheduledFor),
  ];
}
