import { guardedChannel, type BreakerOptions, type GuardedChannel } from '../policy/guarded-channel';
import { createEmailDeliverer, type EmailDelivererOptions } from './deliver';

export type EmailChannelOptions = EmailDelivererOptions & BreakerOptions;
export type EmailChannel = GuardedChannel;

/** The SMTP deliverer, guarded so a mail server that keeps failing is not called until it recovers. */
export function createEmailChannel(options: EmailChannelOptions): EmailChannel {
  return guardedChannel('email', createEmailDeliverer(options), options);
}
