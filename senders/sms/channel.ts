import { guardedChannel, type BreakerOptions, type GuardedChannel } from '../policy/guarded-channel';
import { createSmsDeliverer, type SmsDelivererOptions } from './deliver';

export type SmsChannelOptions = SmsDelivererOptions & BreakerOptions;

/** The name of the second SMS API (SMS_SECONDARY_API_URL) in statuses and metrics; the first is `sms-api`. */
export const SMS_SECONDARY_PROVIDER = 'sms-api-secondary';
export type SmsChannel = GuardedChannel;

/** The SMS provider deliverer, guarded so a provider that keeps failing is not called until it recovers. */
export function createSmsChannel(options: SmsChannelOptions): SmsChannel {
  return guardedChannel('sms', createSmsDeliverer(options), options);
}
