import { guardedChannel, type BreakerOptions, type GuardedChannel } from '../policy/guarded-channel';
import { createPushDeliverer, type PushDelivererOptions } from './deliver';

export type PushChannelOptions = PushDelivererOptions & BreakerOptions;
export type PushChannel = GuardedChannel;

/**
 * The push provider deliverer, guarded so a provider that keeps failing is not called until it
 * recovers. Dead tokens are not provider failures: an all-invalid command is permanent, which the
 * breaker counts as the provider being up.
 */
export function createPushChannel(options: PushChannelOptions): PushChannel {
  return guardedChannel('push', createPushDeliverer(options), options);
}
