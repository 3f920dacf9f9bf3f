import { SCHEMA_OF_TOPIC } from '../codec/codec';
import { TOPICS } from '../topics';

/** The runtime twin of the SchemaOfTopic type in types.ts: if this fails, update both. */
const schemaByRule = (topic: string) => {
  if (['deliveries.express', 'deliveries.bulk', 'deliveries.retry'].includes(topic)) return 'deliveries.command';
  if (topic === 'deliveries.bulk-pages') return 'deliveries.command-page';
  return topic === 'deliveries.status-pages' ? 'deliveries.status-page' : topic;
};

describe('SchemaOfTopic mirrors SCHEMA_OF_TOPIC', () => {
  it.each(Object.values(TOPICS))('%s', (topic) => {
    expect(SCHEMA_OF_TOPIC[topic]).toBe(schemaByRule(topic));
  });
});
