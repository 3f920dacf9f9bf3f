import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { VestnikError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { alteredConfigEntries, desiredConfigEntries, type KafkaTopicSpec } from './topic-config';
import { topicNamesOf } from './topic-names';

export type { KafkaTopicSpec } from './topic-config';

export interface EnsureTopicsOptions {
  logger?: Logger;
  /** How long to wait for creation and leader election, in total. */
  timeoutMs?: number;
}

export interface EnsureTopicsResult {
  created: string[];
  /** Existing topics whose cleanup.policy / retention.ms were brought back to the spec. */
  altered: string[];
  unchanged: string[];
}

/**
 * Makes the topics exist as specified, idempotently. Missing topics are created; existing ones keep
 * their data and partition count (adding partitions would move keys to other partitions and break
 * per-key ordering, so a mismatch is only logged for an operator), but their cleanup.policy and
 * retention.ms are altered back to the spec when they drifted. Returns once every partition has a leader.
 * Specs name logical topics: the client's topic prefix is applied here, and the result names them logically.
 */
export async function ensureTopics(
  kafka: Kafka,
  logicalSpecs: readonly KafkaTopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<EnsureTopicsResult> {
  const names = topicNamesOf(kafka);
  const specs = logicalSpecs.map((spec) => ({ ...spec, name: names.physical(spec.name) }));
  const logical = (name: string) => names.logical(name);
  const logger = (options.logger ?? silentLogger).child({ module: 'kafka-admin', topicPrefix: names.prefix || undefined });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    const present = specs.filter((spec) => existing.has(spec.name));
    await createMissing(admin, missing, timeoutMs);
    const altered = await alterDrifted(admin, present, logger);
    await waitForLeaders(admin, specs, timeoutMs);
    const result = {
      created: missing.map((spec) => logical(spec.name)),
      altered: altered.map(logical),
      unchanged: present.map((spec) => spec.name).filter((name) => !altered.includes(name)).map(logical),
    };
    logger.info(result, 'topics ensured');
    return result;
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(admin: Admin, specs: readonly KafkaTopicSpec[], timeoutMs: number): Promise<void> {
  if (specs.length === 0) return;
  // Another process may create the same topics at the same moment: kafkajs then answers false, not an error.
  // Leaders are awaited by waitForLeaders below: kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION,
  // which a freshly started KRaft broker answers for a moment after creating a topic.
  try {
    await admin.createTopics({
      waitForLeaders: false,
      timeout: timeoutMs,
      topics: specs.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor ?? 1,
        configEntries: desiredConfigEntries(spec),
      })),
    });
  } catch (error) {
    throw topicCreationError(error);
  }
}

/**
 * kafkajs says only "Topic creation errors" and keeps each topic's reason in `errors`: the message names
 * them (a replication factor above the brokers there are, a bad config), so the operator sees why at once.
 */
function topicCreationError(error: unknown): unknown {
  const reasons = (error as { errors?: { topic?: string; type?: string; message?: string }[] }).errors;
  if (!Array.isArray(reasons) || reasons.length === 0) return error;
  const described = reasons.map((reason) => `${reason.topic ?? '?'}: ${reason.type ?? 'error'} (${reason.message ?? ''})`);
  return new Error(`creating Kafka topics failed — ${described.join('; ')}`, { cause: error });
}

async function alterDrifted(admin: Admin, specs: readonly KafkaTopicSpec[], logger: Logger): Promise<string[]> {
  if (specs.length === 0) return [];
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.name })),
  });
  const altered: string[] = [];
  for (const spec of specs) {
    const resource = described.resources.find((r) => r.resourceName === spec.name);
    const entries = alteredConfigEntries(spec, resource?.configEntries ?? []);
    if (!entries) continue;
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name, configEntries: entries }],
    });
    logger.warn({ topic: spec.name, configs: entries }, 'topic configs drifted from the spec, altered');
    altered.push(spec.name);
  }
  await warnOnPartitionMismatch(admin, specs, logger);
  return altered;
}

async function warnOnPartitionMismatch(admin: Admin, specs: readonly KafkaTopicSpec[], logger: Logger): Promise<void> {
  const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.name) });
  for (const spec of specs) {
    const actual = topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
    if (actual !== spec.partitions) {
      logger.warn({ topic: spec.name, expected: spec.partitions, actual }, 'topic partition count differs from the spec');
    }
  }
}

/** Polls metadata until each topic is known with partitions, every one with a leader. */
async function waitForLeaders(admin: Admin, specs: readonly KafkaTopicSpec[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const topics = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.name) }).then(
      (metadata) => metadata.topics,
      // Retriable answers (a topic not yet in the metadata, no leader yet) mean "not ready yet".
      (error: { retriable?: boolean }) => {
        if (error.retriable !== true) throw error;
        return [];
      },
    );
    const ready = specs.every((spec) => {
      const partitions = topics.find((t) => t.name === spec.name)?.partitions ?? [];
      return partitions.length > 0 && partitions.every((p) => p.leader >= 0);
    });
    if (ready) return;
    if (Date.now() > deadline) {
      throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'topic leaders not elected in time', {
        retriable: true,
        details: { topics: specs.map((spec) => spec.name), timeoutMs },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
