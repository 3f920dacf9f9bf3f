import type { Admin } from 'kafkajs';
import { fetchGroupLag, topicNamesOf } from '../../platform/kafka';
import type { Runtime, Stoppable } from '../runtime';
import type { PipelineMetrics } from './pipeline-metrics';

/**
 * The consumer lag of every group this process's roles consume in (runtime.groupId), per topic and
 * partition, read from the broker when Prometheus scrapes (cached by the metrics' sampler). One admin
 * connection, opened on the first scrape and closed with the process.
 */
export function watchConsumerLag(runtime: Runtime, metrics: PipelineMetrics): Stoppable {
  const kafka = runtime.kafka();
  const names = topicNamesOf(kafka);
  let admin: Promise<Admin> | null = null;
  const connected = (): Promise<Admin> => {
    admin ??= (async () => {
      const created = kafka.admin();
      await created.connect();
      return created;
    })().catch((error: unknown) => {
      admin = null;
      throw error;
    });
    return admin;
  };
  metrics.watchLag(async () => {
    const client = await connected();
    // One group's failure (a group id used only as a prefix, a coordinator moving) does not hide the others'.
    const settled = await Promise.allSettled(runtime.consumerGroups().map(async (group) => ({ group, lags: await fetchGroupLag(client, group, names) })));
    const failed = settled.filter((result) => result.status === 'rejected');
    if (failed.length === settled.length && failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  });
  return {
    name: 'consumer-lag-metrics',
    async stop() {
      const open = admin;
      admin = null;
      if (open) await open.then((a) => a.disconnect(), () => undefined);
    },
  };
}
