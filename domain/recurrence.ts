import { CronExpressionParser } from 'cron-parser';
import { VestnikError } from '../platform/errors';
import type { NotificationRequested } from '../schemas/types';

/** The first fire time of a cron expression in its time zone strictly after `after`, or null past expiresAt. */
export function nextFireTime(recurrence: { cron: string; timezone: string }, after: number, expiresAt: number | null): number | null {
  let next: number;
  try {
    next = CronExpressionParser.parse(recurrence.cron, { currentDate: new Date(after), tz: recurrence.timezone }).next().getTime();
  } catch (error) {
    throw new VestnikError('VALIDATION_FAILED', `invalid recurrence ${JSON.stringify(recurrence)}`, { cause: error });
  }
  return expiresAt !== null && next >= expiresAt ? null : next;
}

/** One occurrence of a recurring request: a plain request with its own id, so its deliveries are new ones. */
export function occurrenceOf(request: NotificationRequested, fireAt: number): NotificationRequested {
  return { ...request, requestId: `${request.requestId}@${fireAt}`, occurredAt: fireAt, recurrence: null, notBefore: null };
}
