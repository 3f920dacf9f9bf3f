import type { EventPublisher } from './ports';
import type { TypedProducer } from '../kafka';
import type { TopicValue } from '../kafka/types';

/**
 * The API's EventPublisher over the typed producer: the codec validates before anything is produced
 * and throws VALIDATION_FAILED with the failing field paths as `details`.
 */
export function createEventPublisher(deps: { producer: TypedProducer }): EventPublisher {
  return {
    async publish(topic, key, value) {
      await deps.producer.send(topic, [{ key, value: value as TopicValue<typeof topic> }]);
    },
  };
}
