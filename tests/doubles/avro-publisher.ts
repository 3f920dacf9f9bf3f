import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { VestnikError } from '../../platform/errors';
import { SCHEMA_OF_TOPIC } from '../../platform/codec/codec';
import type { TopicName } from '../../platform/topics';
import type { EventPublisher } from '../../platform/stores/ports';

/** One record the fake would have produced. */
export interface Published {
  topic: TopicName;
  key: string;
  value: unknown;
}

const SCHEMAS_DIR = path.resolve(__dirname, '../../schemas');

/**
 * EventPublisher that validates against the real .avsc contract (like the Kafka one) and keeps the
 * records in memory instead of producing them.
 */
export function createAvroCheckingPublisher(): EventPublisher & { published: Published[] } {
  const types = new Map<string, avro.Type>();
  const typeOf = (topic: TopicName): avro.Type => {
    const schema = SCHEMA_OF_TOPIC[topic];
    let type = types.get(schema);
    if (!type) {
      type = avro.Type.forSchema(JSON.parse(readFileSync(path.join(SCHEMAS_DIR, `${schema}.avsc`), 'utf8')));
      types.set(schema, type);
    }
    return type;
  };
  const published: Published[] = [];
  return {
    published,
    async publish(topic, key, value) {
      const paths: string[] = [];
      const type = typeOf(topic);
      if (!type.isValid(value, { errorHook: (p: string[]) => paths.push(p.join('.')) })) {
        throw new VestnikError('VALIDATION_FAILED', `invalid ${topic} record`, { details: paths });
      }
      published.push({ topic, key, value: type.clone(value) });
    },
  };
}
