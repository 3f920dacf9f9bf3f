import type { Channel, DeliveryCommand } from '../../schemas/types';
import type { SendResult } from './send-result';

export type { SendResult };

/** One channel's provider: one call per command, never throws for provider trouble (returns a SendResult). */
export interface ChannelDeliverer {
  readonly channel: Channel;
  deliver(command: DeliveryCommand): Promise<SendResult>;
  close(): Promise<void>;
}
