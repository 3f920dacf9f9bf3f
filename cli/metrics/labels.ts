/**
 * Every label value a pipeline metric takes goes through here, so each label has a bounded set of values
 * whatever a record, a provider or a bug hands over: a value outside its set is reported as `other`.
 * (Each distinct label set is a time series Prometheus keeps; an unbounded one would exhaust it.)
 */
import { ERROR_CODES } from '../../platform/errors';
import { LANES } from '../../platform/lanes';
import { TOPICS } from '../../platform/topics';
import { BUILT_IN_PROVIDERS, DEFAULT_PROVIDER } from '../../platform/providers';
import { CHANNELS, DELIVERY_STATUSES, type Channel } from '../../schemas/types';

export const OTHER = 'other';

function oneOf(allowed: readonly string[]): (value: string) => string {
  const set = new Set(allowed);
  return (value) => (set.has(value) ? value : OTHER);
}

export const channelLabel = oneOf(CHANNELS);
export const laneLabel = oneOf(LANES);
export const statusLabel = oneOf(DELIVERY_STATUSES);
/** What a sender did instead of sending (senders/core/consumer.ts SenderResultKind, less the statuses). */
export const skipReasonLabel = oneOf(['deferred', 'replay', 'leased']);
export const outcomeLabel = oneOf(['sent', 'retriable', 'permanent']);
/** What a sender did with an ambiguous provider call (senders/core/outcome.ts AmbiguousOutcomeAction). */
export const ambiguousActionLabel = oneOf(['resend', 'fail', 'expire']);
export const reasonCodeLabel = oneOf(ERROR_CODES);
/** Logical topic names only (the deployment's prefix is already stripped by the Kafka layer). */
export const topicLabel = oneOf(Object.values(TOPICS));

/**
 * The provider label: the provider named (a status's, a channel's second one) if it is built in or one of
 * `configured` (HTTP_PROVIDERS: a set fixed at start), else the channel's default one.
 */
export function providerLabels(configured: readonly string[]): (channel: string, provider?: string | null) => string {
  const known = oneOf([...BUILT_IN_PROVIDERS, ...configured]);
  return (channel, provider) => (provider ? known(provider) : DEFAULT_PROVIDER[channel as Channel] ?? OTHER);
}

export const providerLabel = providerLabels([]);
