/**
 * The folds of finished mailings' rows in analytics (analytics/fold-mailing.ts), run by the lifecycle loop after
 * it finishes them, so that a large mailing's statistics read one part instead of folding its rows at every read.
 *
 * A fold that fails (ClickHouse down, a timeout) is tried again at the next lifecycle check, up to
 * MAX_FOLD_ATTEMPTS times; the list lives in this process (one owner: the lifecycle loop), so a restart forgets
 * it. Either way the statistics stay exact, only slower: a fold never changes what FINAL reads.
 */
import { describeError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { FinishedMailing } from './mailing-lifecycle';

export const MAX_FOLD_ATTEMPTS = 5;

/** What a fold says of itself (analytics/fold-mailing.ts): done and how long it took, or skipped and why. */
export interface FoldResult {
  folded: boolean;
  partitionRows: number;
  ms?: number;
  reason?: string;
}

export interface FinishedFolds {
  /** Mailings just finished: each is folded at the next run(). */
  add(mailings: readonly FinishedMailing[]): void;
  /** Folds every pending mailing, one after the other; never throws. */
  run(): Promise<void>;
  /** How many wait for a fold (tests and logs). */
  pending(): number;
}

export function createFinishedFolds(deps: { fold(mailingId: string, messages: number): Promise<FoldResult>; logger: Logger }): FinishedFolds {
  const log = deps.logger.child({ module: 'finished-folds' });
  const waiting = new Map<string, { messages: number; attempts: number }>();
  return {
    add(mailings) {
      for (const { id, messages } of mailings) if (!waiting.has(id)) waiting.set(id, { messages, attempts: 0 });
    },
    async run() {
      for (const [mailingId, entry] of [...waiting]) {
        entry.attempts += 1;
        try {
          const result = await deps.fold(mailingId, entry.messages);
          waiting.delete(mailingId);
          if (result.folded) log.info({ mailingId, messages: entry.messages, partitionRows: result.partitionRows, ms: result.ms }, 'finished mailing\'s statistics rows folded');
          else log.debug({ mailingId, messages: entry.messages, reason: result.reason }, 'finished mailing\'s statistics rows left unfolded');
        } catch (error) {
          const givenUp = entry.attempts >= MAX_FOLD_ATTEMPTS;
          if (givenUp) waiting.delete(mailingId);
          log.warn({ mailingId, attempts: entry.attempts, givenUp, err: describeError(error) },
            givenUp ? 'folding a finished mailing\'s statistics rows failed; its statistics stay exact, read slower' : 'folding a finished mailing\'s statistics rows failed; trying again');
        }
      }
    },
    pending: () => waiting.size,
  };
}
