/**
 * The erasure of a person (DELETE /api/clients/{id}): after the directory tombstone, every other place
 * that keeps their data is erased by its owner (senders/inapp: the inbox; platform/links: their links;
 * analytics: their rows). The composition root (cli/roles/api.ts) lists the erasers.
 *
 * Every eraser is tried even when one fails, and the first failure is thrown afterwards (the API answers
 * 503): each eraser is idempotent, so the caller's retry of the DELETE finishes the job, and the route
 * runs the erasers also for a client that is already gone, for exactly that retry.
 */
import { VestnikError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { PersonalDataEraser } from './ports';

export type EraseClient = (clientId: string) => Promise<void>;

export function createClientErasure(erasers: readonly PersonalDataEraser[], logger: Logger): EraseClient {
  const log = logger.child({ module: 'erasure' });
  return async (clientId) => {
    const results = await Promise.allSettled(erasers.map((eraser) => eraser.erase(clientId)));
    const failed = erasers.filter((_eraser, i) => results[i]?.status === 'rejected').map((eraser) => eraser.name);
    if (failed.length === 0) {
      log.info({ clientId, erased: erasers.map((eraser) => eraser.name) }, 'client data erased');
      return;
    }
    const first = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    log.warn({ clientId, failed, err: first?.reason }, 'client erasure incomplete: the DELETE must be retried');
    throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'erasure incomplete, retry the DELETE', {
      retriable: true, cause: first?.reason, details: { failed },
    });
  };
}
