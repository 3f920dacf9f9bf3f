import { SCHEMA_OF_TOPIC } from '../codec/codec';
import { TOPICS } from '../topics';

/** The runtime twin of the SchemaOfTopic type in types.ts: if this fails, update both. */
const schemaByRule = (topic: string) =>
  ['deliveries.express', 'deliveries.bulk', 'deliveries.retry'].includes(topic) ? 'deliveries.command' : topic;

describe('SchemaOfTopic mirrors SCHEMA_OF_TOPIC', () => {
  it.each(Object.values(TOPICS))('%s', (topic) => {
    expect(SCHEMA_OF_TOPIC[topic]).toBe(schemaByRule(topic));
  });
});
