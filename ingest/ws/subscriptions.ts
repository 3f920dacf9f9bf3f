import type { Redis } from '../../platform/redis/client';

/**
 * The gateway process's ONE subscriber connection, shared by all its sockets: a user's channel is
 * subscribed while at least one of the user's sockets is open here (reference counted), so Redis
 * sends a gateway only the wake-ups of users it serves.
 */
export interface Subscriptions {
  /** Resolves once Redis confirmed the subscription: a wake-up published after that reaches us. */
  add(channel: string): Promise<void>;
  remove(channel: string): Promise<void>;
  /** Unsubscribes from everything (shutdown). */
  clear(): Promise<void>;
}

export function createSubscriptions(subscriber: Redis, onMessage: (channel: string, message: string) => void): Subscriptions {
  const counts = new Map<string, number>();
  // The pending SUBSCRIBE of a channel: a second socket of the user waits for the same confirmation.
  const subscribing = new Map<string, Promise<unknown>>();
  subscriber.on('message', onMessage);

  return {
    async add(channel) {
      const count = (counts.get(channel) ?? 0) + 1;
      counts.set(channel, count);
      if (count === 1) {
        const confirmed = subscriber.subscribe(channel);
        subscribing.set(channel, confirmed);
        try {
          await confirmed;
        } finally {
          if (subscribing.get(channel) === confirmed) subscribing.delete(channel);
        }
      } else {
        await subscribing.get(channel);
      }
    },
    async remove(channel) {
      const count = (counts.get(channel) ?? 0) - 1;
      if (count > 0) {
        counts.set(channel, count);
        return;
      }
      counts.delete(channel);
      // Commands run in order on the connection: a later add()'s SUBSCRIBE comes after this UNSUBSCRIBE.
      await subscriber.unsubscribe(channel);
    },
    async clear() {
      const channels = [...counts.keys()];
      counts.clear();
      subscriber.off('message', onMessage);
      if (channels.length > 0) await subscriber.unsubscribe(...channels);
    },
  };
}
