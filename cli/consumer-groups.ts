/**
 * Every consumer group the roles run and the topics each reads, for the console overview's lag. It mirrors
 * the groupId(...) calls of roles/processors.ts, senders.ts and analytics.ts (cli/consumer-groups.test.ts
 * checks the names stay in step); a group no process has joined yet shows its whole topic as lag.
 */
import type { GroupTopics } from '../platform/kafka/lag';
import { LANES } from '../platform/lanes';
import { TOPICS } from '../platform/topics';

/** Stage name (the part after KAFKA_GROUP_PREFIX-) → topics it consumes. */
export const CONSUMER_STAGES: Readonly<Record<string, readonly string[]>> = {
  'state-view': [TOPICS.clients, TOPICS.mailings, TOPICS.templates],
  ...Object.fromEntries(LANES.flatMap((lane) => [
    [`mailing-fanout-${lane}`, [TOPICS.mailingStarted]],
    [`notification-fanout-${lane}`, [TOPICS.notificationRequested]],
  ])),
  'mailing-resend': [TOPICS.mailingResendRequested],
  welcome: [TOPICS.userRegistered],
  'episode-fanout': [TOPICS.episodeReleased],
  activity: [TOPICS.userActivity],
  'senders-express': [TOPICS.deliveriesExpress],
  'senders-bulk': [TOPICS.deliveriesBulkPages, TOPICS.deliveriesBulk, TOPICS.deliveriesRetry],
  analytics: [TOPICS.deliveriesStatus, TOPICS.deliveriesStatusPages],
};

/** The groups of a deployment, named by its group prefix (runtime.groupId). */
export function consumerGroups(groupId: (stage: string) => string): GroupTopics[] {
  return Object.entries(CONSUMER_STAGES).map(([stage, topics]) => ({ groupId: groupId(stage), topics }));
}
