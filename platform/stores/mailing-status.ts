import type { Redis } from '../redis/client';
import { KEYS } from '../redis/keys';
import { MAILING_STATUSES, type Mailing, type MailingStatus } from '../../schemas/types';

/**
 * The status a mailing shows. The doc (state.mailings) knows scheduled and cancelled; the pipeline's
 * run hash knows running and finished. A cancellation is an admin decision and wins over the run.
 */
export function effectiveMailingStatus(docStatus: MailingStatus, runStatus: string | null): MailingStatus {
  if (docStatus === 'cancelled') return docStatus;
  const run = MAILING_STATUSES.find((status) => status === runStatus);
  return run ?? docStatus;
}

/** Overlays the run hash's status on a page of mailings: one pipeline (HGET per id) per page. */
export function createRunStatusOverlay(redis: Redis): (mailings: Mailing[]) => Promise<Mailing[]> {
  return async (mailings) => {
    const pipeline = redis.pipeline();
    for (const mailing of mailings) pipeline.hget(KEYS.mailingRun(mailing.id), 'status');
    const results = (await pipeline.exec()) ?? [];
    return mailings.map((mailing, i) => {
      const [error, runStatus] = results[i] ?? [new Error('missing pipeline reply'), null];
      // Classified by the Redis edge: REDIS_UNAVAILABLE is retriable (503), a command's own error is not.
      if (error) throw error;
      return { ...mailing, status: effectiveMailingStatus(mailing.status, (runStatus as string | null) ?? null) };
    });
  };
}
