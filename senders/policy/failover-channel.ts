import type { Channel, DeliveryCommand } from '../../schemas/types';
import type { ChannelDeliverer, DeliveryRoute, SendResult } from './channel';
import type { GuardedChannel } from './guarded-channel';

/**
 * Several providers of one channel in an order of preference (two SMS APIs). A command goes to the first;
 * when that one did not take it and cannot have taken it (its circuit is open, it refused, answered 5xx or
 * 429, or no slot came in time), to the next, at once. A result that may have reached a provider (ambiguous)
 * or a permanent one (a number no provider will take) stays with that provider: another one could make it a
 * second message. The result names the provider that gave it, so the status records who sent.
 *
 * With rate limits per provider, the sender's rate step has already picked where a command starts (the
 * first provider with a slot); one it then fails over to must have a slot of its own at that moment, or
 * the command keeps the answer it has and is retried later, so no provider is sent past its rate. That is a
 * Redis call per message failed over: the failure path only, until the circuit opens and the rate step
 * routes around the provider for the whole chunk.
 */
export interface FailoverChannel extends ChannelDeliverer {
  readonly providers: readonly GuardedChannel[];
}

/** Not sent, and asking another provider cannot send it twice. */
export function movesToNextProvider(result: SendResult): boolean {
  return result.kind === 'retriable' && result.ambiguous !== true;
}

export interface FailoverOptions {
  /** A slot of the provider's rate now (senders/core/provider-rates.ts takeSlotNow); absent: no rates. */
  slotNow?(provider: string, command: DeliveryCommand, lane: DeliveryRoute['lane']): Promise<boolean>;
}

export function failoverChannel(channel: Channel, providers: readonly GuardedChannel[], options: FailoverOptions = {}): FailoverChannel {
  if (providers.length === 0) throw new Error(`failoverChannel(${channel}): no providers`);
  return {
    channel,
    providers,
    async deliver(command, route) {
      const start = Math.max(0, providers.findIndex((provider) => provider.provider === route?.from));
      let result: SendResult | undefined;
      for (const provider of providers.slice(start)) {
        if (result && options.slotNow && !(await options.slotNow(provider.provider, command, route?.lane ?? 'bulk'))) return result;
        result = await provider.deliver(command);
        if (!movesToNextProvider(result)) return result;
      }
      // Every provider said "not now": the last one's answer (its Retry-After, its reason) decides the retry.
      return result!;
    },
    async close() {
      await Promise.all(providers.map((provider) => provider.close()));
    },
  };
}
