import type { Redis } from '../../platform/redis/client';
import { guardedChannel, type BreakerOptions, type GuardedChannel } from '../policy/guarded-channel';
import { createInappDeliverer } from './deliver';
import { createInbox } from './inbox';

export interface InappChannelOptions extends BreakerOptions {
  /** The sender lane's command connection. */
  redis: Redis;
  inboxMax: number;
  historyMax: number;
}

/** The in-app deliverer (inbox writes), behind a breaker like every channel so a Redis outage is not hammered. */
export function createInappChannel(options: InappChannelOptions): GuardedChannel {
  const inbox = createInbox({ redis: options.redis, inboxMax: options.inboxMax, historyMax: options.historyMax });
  return guardedChannel('inapp', createInappDeliverer({ inbox, logger: options.logger }), options);
}
