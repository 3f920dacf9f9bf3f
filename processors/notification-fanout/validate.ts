/**
 * What makes a notification request unusable before any recipient is looked up. The API checks only
 * the Avro shape of POST /api/notifications, and any service may produce the topic directly, so the
 * fan-out refuses here (dead letter with the reason) a request it could never deliver as asked:
 * no recipients, a context that is not a JSON object, impossible times, a recurrence that never fires.
 * A template that does not exist is found (and refused) by the fan-out itself when it loads it.
 */
import { isKnownTimeZone } from '../../platform/time-zones';
import { instantProblem, zodProblems } from '../../platform/kafka/invalid-record';
import type { NotificationRequested } from '../../schemas/types';
import { ResourceId } from '../../domain/resources/common';
import { nextFireTime } from '../../domain/recurrence';

/** Every problem of the request; empty when the fan-out may go on. */
export function requestProblems(request: NotificationRequested): string[] {
  const problems: string[] = [];
  if (request.requestId.trim() === '') problems.push('requestId: required');
  problems.push(...zodProblems(ResourceId, request.templateId).map((p) => p.replace('(record)', 'templateId')));
  if (request.userIds.length === 0 && request.segmentTags.length === 0) problems.push('userIds, segmentTags: no recipients');
  request.userIds.forEach((id, i) => {
    if (id.trim() === '') problems.push(`userIds.${i}: empty id`);
  });
  if (!isJsonObject(request.contextJson)) problems.push('contextJson: not a JSON object');
  problems.push(
    ...instantProblem('occurredAt', request.occurredAt),
    ...instantProblem('notBefore', request.notBefore),
    ...instantProblem('expiresAt', request.expiresAt),
  );
  if (request.recurrence) problems.push(...recurrenceProblems(request.recurrence));
  return problems;
}

function recurrenceProblems(recurrence: { cron: string; timezone: string }): string[] {
  if (!isKnownTimeZone(recurrence.timezone)) return [`recurrence.timezone: unknown IANA time zone ${JSON.stringify(recurrence.timezone)}`];
  try {
    nextFireTime(recurrence, 0, null);
    return [];
  } catch {
    return [`recurrence.cron: not a cron expression (${JSON.stringify(recurrence.cron)})`];
  }
}

function isJsonObject(json: string): boolean {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}
