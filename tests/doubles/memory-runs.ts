import { effectiveMailingStatus } from '../../domain/mailing-run/record';
import type { Mailing } from '../../schemas/types';

/** Mailing runs in memory, overlaid by the real rule (domain/mailing-run/record.ts), for the memory mailing store. */
export function createMemoryMailingRuns() {
  const runs = new Map<string, 'running' | 'finished'>();
  return {
    runs,
    async start(mailingId: string): Promise<void> {
      runs.set(mailingId, 'running');
    },
    overlay: async (mailings: Mailing[]): Promise<Mailing[]> =>
      mailings.map((m) => ({ ...m, status: effectiveMailingStatus(m.status, runs.get(m.id) ?? null) })),
  };
}
