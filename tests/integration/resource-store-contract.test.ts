/**
 * The ResourceStore contract (tests/contracts/resource-store.ts) on the real stores: Kafka state topics,
 * the state-view consumer and the Redis directory view, with the mailing runs in Redis as the fan-out
 * writes them. The same suite runs against the in-memory doubles in the unit tier.
 */
import { startRun } from '../../domain/mailing-run/record';
import { describeResourceStoreContract } from '../contracts/resource-store';
import { useViewWorld } from '../support/view-world';

jest.setTimeout(90_000);

const world = useViewWorld('contract');

describeResourceStoreContract('Kafka state topics + Redis view', () => {
  const { clients, mailings, redis } = world();
  return { clients, mailings, startRun: (mailingId) => startRun(redis, mailingId, Date.now()) };
}, () => 'real');
