/**
 * Logical topic names (TOPICS, what the code and the records' `topic` fields say) and physical ones (what
 * the broker holds). Several deployments share one cluster by giving each a prefix: with `KAFKA_TOPIC_PREFIX=acme`
 * the logical `state.clients` is the physical `acme.state.clients` (DESIGN.md: `<prefix>.<name>`).
 *
 * The mapping is applied only at the edge of the Kafka layer (producer, batch consumer, ensureTopics, lag,
 * the raw producer of the delay queue), so every stage above keeps using the names of TOPICS.
 */

/** A topic prefix: Kafka's topic characters, dot-separated parts, no leading or trailing dot. */
export const TOPIC_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Kafka refuses topic names longer than this. */
export const MAX_TOPIC_NAME_LENGTH = 249;

export interface TopicNames {
  /** The prefix without its separating dot; empty for none. */
  readonly prefix: string;
  /** The name on the broker of a logical topic. */
  physical(logical: string): string;
  /** The logical name of a topic on the broker; a name outside this deployment's prefix is returned as it is. */
  logical(physical: string): string;
}

/** The names without a prefix: logical and physical are the same (the default, and plain test clients). */
export const UNPREFIXED_TOPICS: TopicNames = Object.freeze({
  prefix: '',
  physical: (logical: string) => logical,
  logical: (physical: string) => physical,
});

/** The mapping of one deployment; an empty prefix maps every name to itself. */
export function createTopicNames(prefix = ''): TopicNames {
  if (prefix === '') return UNPREFIXED_TOPICS;
  if (!TOPIC_PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(`topic prefix ${JSON.stringify(prefix)} must be dot-separated parts of A-Z a-z 0-9 _ -`);
  }
  const head = `${prefix}.`;
  return Object.freeze({
    prefix,
    physical(logical: string): string {
      const name = head + logical;
      if (name.length > MAX_TOPIC_NAME_LENGTH) throw new RangeError(`topic name ${name} is longer than ${MAX_TOPIC_NAME_LENGTH} characters`);
      return name;
    },
    logical: (physical: string) => (physical.startsWith(head) ? physical.slice(head.length) : physical),
  });
}

/** Clients made by createKafka carry their deployment's names; any other kafkajs client has none. */
export interface WithTopicNames {
  readonly topicNames: TopicNames;
}

/** The topic names of a client: its own when createKafka made it, else the unprefixed ones. */
export function topicNamesOf(kafka: object): TopicNames {
  const names = (kafka as Partial<WithTopicNames>).topicNames;
  return names ?? UNPREFIXED_TOPICS;
}
