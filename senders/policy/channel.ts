import type { Channel, DeliveryCommand } from '../../schemas/types';
import type { SendResult } from './send-result';

export type { SendResult };

/** Where the sender's rate step (senders/core/provider-rates.ts) routed a command. */
export interface DeliveryRoute {
  /** Start at this provider: the ones before it had no slot or an open circuit. */
  from?: string;
  lane: 'express' | 'bulk';
}

/** One channel's provider: one call per command, never throws for provider trouble (returns a SendResult). */
export interface ChannelDeliverer {
  readonly channel: Channel;
  /** A single provider ignores `route`; several in failover order start at `route.from`. */
  deliver(command: DeliveryCommand, route?: DeliveryRoute): Promise<SendResult>;
  close(): Promise<void>;
}
