import type { Logger } from '../../platform/logger';
import type { ChannelDeliverer } from '../core/channel';
import { createCircuitBreaker, type ProviderCircuitBreaker } from '../policy/circuit-breaker';
import { createPushDeliverer, type PushDelivererOptions } from './deliver';

export interface PushChannelOptions extends PushDelivererOptions {
  /** How long the circuit stays open before one probe call (default 10 s). */
  halfOpenAfterMs?: number;
  /** Consecutive retriable results that open the circuit (default 5). */
  consecutiveFailures?: number;
  logger?: Logger;
}

/** The push channel as the sender loop sees it: the provider calls behind the provider's circuit breaker. */
export interface PushChannel extends ChannelDeliverer {
  readonly breaker: ProviderCircuitBreaker;
}

/**
 * The push provider deliverer, guarded so a provider that keeps failing is not called until it
 * recovers. Dead tokens are not provider failures: an all-invalid command is permanent, which the
 * breaker counts as the provider being up.
 */
export function createPushChannel(options: PushChannelOptions): PushChannel {
  const deliverer = createPushDeliverer(options);
  const breaker = createCircuitBreaker({
    name: 'push',
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
    consecutiveFailures: options.consecutiveFailures,
    logger: options.logger,
  });
  const deliver = breaker.guard(deliverer.deliver.bind(deliverer));
  return { channel: 'push', breaker, deliver: (command) => deliver(command), close: () => deliverer.close() };
}
