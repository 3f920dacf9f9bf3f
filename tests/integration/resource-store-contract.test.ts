/**
 * The ResourceStore contract (tests/contracts/resource-store.ts) on the real stores: Kafka state topics,
 * the state-view consumer and the Redis directory view, with the mailing runs in Redis as the fan-out
 * writes them: with the view on the run's Redis, and on a Redis Cluster (issue 16), where the view's apply
 * and the mailing runs keep their keys' slots apart. The same suite runs against the in-memory doubles in
 * the unit tier.
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

const clusterWorld = useViewWorld('contract-cluster', 'a Redis Cluster');

describeResourceStoreContract('Kafka state topics + a Redis Cluster view', () => {
  const { clients, mailings, redis } = clusterWorld();
  return { clients, mailings, startRun: (mailingId) => startRun(redis, mailingId, Date.now()) };
}, () => 'cluster');
