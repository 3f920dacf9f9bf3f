import type { Logger } from '../../platform/logger';
import type { Channel, DeliveryCommand } from '../../schemas/types';
import type { ChannelDeliverer } from './channel';
import { createCircuitBreaker, type ProviderCircuitBreaker } from './circuit-breaker';
import type { SendResult } from './send-result';

/** Circuit breaker settings every channel takes. */
export interface BreakerOptions {
  /** How long the circuit stays open before one probe call (default 10 s). */
  halfOpenAfterMs?: number;
  /** Consecutive retriable results that open the circuit (default 5). */
  consecutiveFailures?: number;
  logger?: Logger;
}

/** A channel as the sender loop sees it, with its breaker exposed for health and tests. */
export interface GuardedChannel extends ChannelDeliverer {
  readonly breaker: ProviderCircuitBreaker;
}

/**
 * A provider deliverer behind its own circuit breaker: while the provider keeps failing retriably, calls
 * are answered CIRCUIT_OPEN without reaching it, and one probe call tests it after `halfOpenAfterMs`.
 */
export function guardedChannel(
  channel: Channel,
  deliverer: { deliver(command: DeliveryCommand): Promise<SendResult>; close(): Promise<void> },
  options: BreakerOptions,
): GuardedChannel {
  const breaker = createCircuitBreaker({
    name: channel,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
    consecutiveFailures: options.consecutiveFailures,
    logger: options.logger,
  });
  const deliver = breaker.guard((command: DeliveryCommand) => deliverer.deliver(command));
  return { channel, breaker, deliver: (command) => deliver(command), close: () => deliverer.close() };
}
