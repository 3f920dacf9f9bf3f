import { describeError, errorCode, isRetriable } from '../../platform/errors';
import { deliveryLogFields } from '../../platform/log-fields';
import { silentLogger, type Logger } from '../../platform/logger';
import type { DeliveryCommand } from '../../schemas/types';
import { permanent, retriable, sent, type SendResult } from '../policy/send-result';
import type { Inbox } from './inbox';
import { toInboxMessage } from './message';

export interface InappDelivererOptions {
  inbox: Inbox;
  logger?: Logger;
}

/**
 * The in-app channel's "provider call": append the message to the user's inbox (one Lua call that
 * also publishes the wake-up for a connected gateway). The sender loop delivers a batch's commands
 * concurrently and the connection auto-pipelines, so a batch is a few round trips, not one per
 * message. `sent` means the inbox holds it; the websocket hand-off happens in the gateway.
 */
export function createInappDeliverer(options: InappDelivererOptions) {
  const log = (options.logger ?? silentLogger).child({ module: 'inapp-deliver' });
  return {
    async deliver(command: DeliveryCommand): Promise<SendResult> {
      if (!command.clientId) return permanent('VALIDATION_FAILED', 'in-app command without a client id');
      if (!command.content.text) return permanent('VALIDATION_FAILED', 'in-app command without text');
      try {
        const { added, dropped } = await options.inbox.append(command.clientId, toInboxMessage(command));
        // Dropping is the inbox bound doing its job, but an operator should see a user piling up messages.
        if (dropped > 0) log.warn({ ...deliveryLogFields(command), dropped }, 'in-app inbox full: oldest pending dropped');
        if (!added) log.debug(deliveryLogFields(command), 'in-app message already in the inbox');
        return sent(command.deliveryId);
      } catch (error) {
        // Redis down arrives as a retriable REDIS_UNAVAILABLE (the Redis edge); anything else (WRONGTYPE, a bug) is permanent.
        log.warn({ ...deliveryLogFields(command), err: describeError(error) }, 'in-app inbox write failed');
        if (!isRetriable(error)) return permanent(errorCode(error), 'in-app inbox write refused');
        return retriable(errorCode(error), 'redis inbox write failed');
      }
    },
    /** The Redis connection belongs to the role; nothing of its own to close. */
    async close(): Promise<void> {},
  };
}
