/**
 * What a status row needs before it goes into ClickHouse. The insert is one statement per batch, so
 * a single row ClickHouse cannot hold (a negative time, a negative attempt in a UInt32) would fail the
 * whole batch and dead-letter the good statuses with it; such a status is dead-lettered alone instead.
 */
import { instantProblem } from '../platform/kafka/invalid-record';
import type { DeliveryStatus } from '../schemas/types';

const MAX_UINT32 = 2 ** 32 - 1;

/** Every problem of the status; empty when it can be stored. */
export function statusProblems(status: DeliveryStatus): string[] {
  const problems: string[] = [];
  for (const field of ['statusId', 'deliveryId', 'sourceId'] as const) {
    if (status[field].trim() === '') problems.push(`${field}: required`);
  }
  if (!Number.isInteger(status.attempt) || status.attempt < 0 || status.attempt > MAX_UINT32) {
    problems.push(`attempt: must be 0 or more (${status.attempt})`);
  }
  problems.push(...instantProblem('occurredAt', status.occurredAt));
  return problems;
}
