import type { ChannelDeliverer } from '../core/channel';
import { createCircuitBreaker, type ProviderCircuitBreaker } from '../policy/circuit-breaker';
import { createEmailDeliverer, type EmailDelivererOptions } from './deliver';

export interface EmailChannelOptions extends EmailDelivererOptions {
  /** How long the circuit stays open before one probe call (default 10 s). */
  halfOpenAfterMs?: number;
  /** Consecutive retriable results that open the circuit (default 5). */
  consecutiveFailures?: number;
}

/** The email channel as the sender loop sees it: SMTP behind the provider's circuit breaker. */
export interface EmailChannel extends ChannelDeliverer {
  readonly breaker: ProviderCircuitBreaker;
}

/** The SMTP deliverer, guarded so a mail server that keeps failing is not called until it recovers. */
export function createEmailChannel(options: EmailChannelOptions): EmailChannel {
  const deliverer = createEmailDeliverer(options);
  const breaker = createCircuitBreaker({
    name: 'email',
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
    consecutiveFailures: options.consecutiveFailures,
    logger: options.logger,
  });
  const deliver = breaker.guard(deliverer.deliver.bind(deliverer));
  return { channel: 'email', breaker, deliver: (command) => deliver(command), close: () => deliverer.close() };
}
