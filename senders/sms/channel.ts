import type { Logger } from '../../platform/logger';
import type { ChannelDeliverer } from '../core/channel';
import { createCircuitBreaker, type ProviderCircuitBreaker } from '../policy/circuit-breaker';
import { createSmsDeliverer, type SmsDelivererOptions } from './deliver';

export interface SmsChannelOptions extends SmsDelivererOptions {
  /** How long the circuit stays open before one probe call (default 10 s). */
  halfOpenAfterMs?: number;
  /** Consecutive retriable results that open the circuit (default 5). */
  consecutiveFailures?: number;
  logger?: Logger;
}

/** The SMS channel as the sender loop sees it: the provider call behind the provider's circuit breaker. */
export interface SmsChannel extends ChannelDeliverer {
  readonly breaker: ProviderCircuitBreaker;
}

/** The SMS provider deliverer, guarded so a provider that keeps failing is not called until it recovers. */
export function createSmsChannel(options: SmsChannelOptions): SmsChannel {
  const deliverer = createSmsDeliverer(options);
  const breaker = createCircuitBreaker({
    name: 'sms',
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
    consecutiveFailures: options.consecutiveFailures,
    logger: options.logger,
  });
  const deliver = breaker.guard(deliverer.deliver.bind(deliverer));
  return { channel: 'sms', breaker, deliver: (command) => deliver(command), close: () => deliverer.close() };
}
