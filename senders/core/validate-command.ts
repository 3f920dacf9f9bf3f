/**
 * The fields a sender relies on before it may claim and send a delivery command. A command with an
 * unknown time zone or a malformed send window used to fail the send-time precheck with a permanent
 * error for its whole batch, so the good commands beside it were dead-lettered too; one with an empty
 * delivery id would claim the empty key. Such a command is dead-lettered alone, with the reason.
 * Address problems are not here: each channel reports them as a `failed` status (senders/<channel>).
 */
import { isKnownTimeZone } from '../../platform/time-zones';
import { instantProblem } from '../../platform/kafka/invalid-record';
import type { DeliveryCommand, TimeWindow } from '../../schemas/types';

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Every problem of the command; empty when the sender may handle it. */
export function commandProblems(command: DeliveryCommand): string[] {
  const problems: string[] = [];
  for (const field of ['deliveryId', 'sourceId', 'clientId'] as const) {
    if (command[field].trim() === '') problems.push(`${field}: required`);
  }
  if (!isKnownTimeZone(command.timezone)) problems.push(`timezone: unknown IANA time zone ${JSON.stringify(command.timezone)}`);
  problems.push(...windowProblems('sendWindow', command.sendWindow));
  if (!Number.isInteger(command.attempt) || command.attempt < 0) problems.push(`attempt: must be 0 or more (${command.attempt})`);
  problems.push(
    ...instantProblem('createdAt', command.createdAt),
    ...instantProblem('notBefore', command.notBefore),
    ...instantProblem('expiresAt', command.expiresAt),
  );
  if (command.fallback && command.fallback.channel === command.channel) problems.push('fallback: must be another channel');
  return problems;
}

function windowProblems(field: string, window: TimeWindow | null): string[] {
  if (window === null) return [];
  return (['from', 'to'] as const).flatMap((end) =>
    CLOCK_TIME.test(window[end]) ? [] : [`${field}.${end}: expected HH:mm (${JSON.stringify(window[end])})`]);
}
