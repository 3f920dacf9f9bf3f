import { guardedChannel, type BreakerOptions, type GuardedChannel } from '../policy/guarded-channel';
import { createSmsDeliverer, type SmsDelivererOptions } from './deliver';

export type SmsChannelOptions = SmsDelivererOptions & BreakerOptions;
export type SmsChannel = GuardedChannel;

/** The SMS provider deliverer, guarded so a provider that keeps failing is not called until it recovers. */
export function createSmsChannel(options: SmsChannelOptions): SmsChannel {
  return guardedChannel('sms', createSmsDeliverer(options), options);
}
