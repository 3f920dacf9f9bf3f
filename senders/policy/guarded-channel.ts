import type { Logger } from '../../platform/logger';
import { DEFAULT_PROVIDER } from '../../platform/providers';
import type { Channel, DeliveryCommand } from '../../schemas/types';
import type { ProviderConcurrency } from './adaptive-concurrency';
import type { ChannelDeliverer } from './channel';
import { createCircuitBreaker, type ProviderCircuitBreaker } from './circuit-breaker';
import { permanent, type SendResult } from './send-result';

/** Circuit breaker settings every channel takes. */
export interface BreakerOptions {
  /** The provider's name in statuses, logs and metrics (default DEFAULT_PROVIDER of the channel). */
  provider?: string;
  /** How long the circuit stays open before one probe call (default 10 s). */
  halfOpenAfterMs?: number;
  /** Consecutive retriable results that open the circuit (default 5). */
  consecutiveFailures?: number;
  logger?: Logger;
  /**
   * Hears each call that reached the provider (not the ones the open circuit answered) with its result
   * and duration in seconds (metrics). Must not throw.
   */
  onProviderCall?(result: SendResult, seconds: number): void;
}

/** A channel as the sender loop sees it, with its breaker exposed for health and tests. */
export interface GuardedChannel extends ChannelDeliverer {
  /** The provider's name, on every result it gives. */
  readonly provider: string;
  readonly breaker: ProviderCircuitBreaker;
  /** The provider's adaptive concurrency limit, for HTTP providers. */
  readonly concurrency?: ProviderConcurrency;
}

/**
 * A provider deliverer behind its own circuit breaker: while the provider keeps failing retriably, calls
 * are answered CIRCUIT_OPEN without reaching it, and one probe call tests it after `halfOpenAfterMs`.
 */
export function guardedChannel(
  channel: Channel,
  deliverer: { deliver(command: DeliveryCommand): Promise<SendResult>; close(): Promise<void>; concurrency?: ProviderConcurrency },
  options: BreakerOptions,
): GuardedChannel {
  const provider = options.provider ?? DEFAULT_PROVIDER[channel];
  const breaker = createCircuitBreaker({
    name: provider,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
    consecutiveFailures: options.consecutiveFailures,
    logger: options.logger,
  });
  const timed = async (command: DeliveryCommand): Promise<SendResult> => {
    const started = performance.now();
    const result = await deliverer.deliver(command);
    options.onProviderCall?.(result, (performance.now() - started) / 1000);
    return result;
  };
  const deliver = breaker.guard(options.onProviderCall ? timed : (command: DeliveryCommand) => deliverer.deliver(command));
  return {
    channel, provider, breaker, concurrency: deliverer.concurrency,
    deliver: async (command) => ({ ...(await deliver(command)), provider }),
    close: () => deliverer.close(),
  };
}

/**
 * A channel without a provider (the webhook channel before HTTP_PROVIDERS names one): every message fails
 * for good with the reason, instead of the sender dead-lettering a command it has no deliverer for.
 */
export function unconfiguredChannel(channel: Channel): GuardedChannel {
  return guardedChannel(channel, {
    deliver: async () => permanent('PROVIDER_REJECTED', `no ${channel} provider is configured (HTTP_PROVIDERS with "channel": "${channel}")`),
    close: async () => undefined,
  }, {});
}
