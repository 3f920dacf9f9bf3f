/**
 * The fan-out alone (issue 15): a mailing to the whole audience while no bulk sender runs, timed from its
 * start to the fan-out checkpoint's `done`, so the walk has the cores to itself. Then its commands are taken
 * off deliveries.bulk-pages and deliveries.bulk (records deleted up to the end: nothing else is there, no
 * bulk sender having read it) and the mailing is cancelled, so the measured mailing that follows starts on
 * empty topics. Its `queued` statuses stay in the statistics of that cancelled mailing; the bench waits until
 * analytics has them all, so their ingest does not fall into the next measurement.
 */
import { outputModeOf } from '../cli/output/mode';
import { createProgressView } from '../cli/output/progress';
import { topicNamesOf } from '../platform/kafka';
import { KEYS } from '../platform/redis/keys';
import { TOPICS } from '../platform/topics';
import { startMailing } from './bulk';
import type { Deployment } from './deployment';
import { perSecond, pollUntil, sleep } from './stats';

export interface FanoutAloneResult {
  mailingId: string;
  fanoutMs: number;
  commandsPerSecond: number;
}

/** Called as the walk starts and as its checkpoint says done: the bench reads every process's CPU there. */
export interface WalkHooks {
  started(): void;
  done(): void;
}

export async function measureFanoutAlone(vestnik: Deployment, tag: string, n: number, hooks: WalkHooks): Promise<FanoutAloneResult> {
  hooks.started();
  const { mailingId, startedAt } = await startMailing(vestnik, tag);
  const redis = vestnik.runtime.redis();
  const view = createProgressView({ label: 'commands fanned out (no sender running)', mode: outputModeOf({}) });
  const deadline = Date.now() + 120_000 + n * 5;
  let doneAt: number | null = null;
  while (doneAt === null) {
    const checkpoint = await redis.hgetall(KEYS.fanoutCursor(mailingId));
    if (checkpoint.done === '1') {
      doneAt = Date.now();
      hooks.done();
    } else if (Date.now() > deadline) throw new Error('bench: the fan-out alone did not finish');
    else {
      view.update({ value: Number(checkpoint.queued ?? 0), total: n });
      await sleep(10);
    }
  }
  view.stop({ value: n, total: n });
  const cancelled = await vestnik.api('POST', `/api/mailings/${mailingId}/cancel`);
  if (cancelled.status !== 200) throw new Error(`bench: cancelling the fan-out-alone mailing: ${cancelled.status} ${JSON.stringify(cancelled.body)}`);
  await emptyBulkTopic(vestnik);
  await pollUntil(async () => {
    const stats = await vestnik.api('GET', `/api/stats/mailings/${mailingId}?limit=1`);
    return stats.status === 200 && stats.body.total === n ? true : null;
  }, { timeoutMs: 120_000 + n, intervalMs: 500, what: 'analytics to have the fan-out-alone mailing\'s statuses' });
  const fanoutMs = doneAt - startedAt;
  return { mailingId, fanoutMs, commandsPerSecond: perSecond(n, fanoutMs) };
}

/** Deletes every record of the bulk command topics (the pages and single commands) up to their end, on every partition. */
async function emptyBulkTopic(vestnik: Deployment): Promise<void> {
  const kafka = vestnik.runtime.kafka();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const logical of [TOPICS.deliveriesBulkPages, TOPICS.deliveriesBulk]) {
      const topic = topicNamesOf(kafka).physical(logical);
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.deleteTopicRecords({ topic, partitions: offsets.map((p) => ({ partition: p.partition, offset: p.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}
