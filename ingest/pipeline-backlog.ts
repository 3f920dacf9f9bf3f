/**
 * The console overview's view of Kafka: each consumer group's committed lag and the dead-letter topic's
 * size, read with the admin API on demand (platform/kafka/lag.ts). One admin connection, opened on the
 * first read and kept; a failed read is DEPENDENCY_UNAVAILABLE (503), and the next read reconnects.
 */
import type { Admin, Kafka } from 'kafkajs';
import { VestnikError } from '../platform/errors';
import { fetchGroupLags, topicRecordCount, type GroupTopics } from '../platform/kafka/lag';
import { topicNamesOf } from '../platform/kafka/topic-names';
import { TOPICS } from '../platform/topics';
import type { PipelineBacklog } from './ports';

export function createPipelineBacklog(deps: { kafka: Kafka; groups: readonly GroupTopics[] }): PipelineBacklog & { close(): Promise<void> } {
  const names = topicNamesOf(deps.kafka);
  let admin: Promise<Admin> | null = null;
  const connected = (): Promise<Admin> => {
    admin ??= (async () => {
      const created = deps.kafka.admin();
      await created.connect();
      return created;
    })();
    return admin;
  };
  async function read<T>(what: string, call: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      return await call(await connected());
    } catch (error) {
      const stale = admin;
      admin = null;
      await stale?.then((a) => a.disconnect()).catch(() => undefined);
      throw new VestnikError('DEPENDENCY_UNAVAILABLE', `kafka ${what} could not be read`, { retriable: true, cause: error });
    }
  }
  return {
    consumerLag: () => read('consumer lag', (a) => fetchGroupLags(a, deps.groups, names)),
    deadLetters: () => read('dead-letter offsets', (a) => topicRecordCount(a, TOPICS.deliveriesDeadLetter, names)),
    async close() {
      const current = admin;
      admin = null;
      await current?.then((a) => a.disconnect()).catch(() => undefined);
    },
  };
}
