import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { decodeInboxMessage, encodeInboxMessage, type InboxMessage } from './message';
import { APPEND_SCRIPT, DRAIN_SCRIPT, HISTORY_SCRIPT, MARK_READ_SCRIPT, REQUEUE_SCRIPT } from './inbox-scripts';
import { encodeWake } from './wake';

/**
 * The in-app inbox of every user, in Redis. Per user (keys in platform/redis/keys.ts):
 *
 *   items    hash  id → message body       every message the user has (pending or delivered)
 *   pending  list  ids, oldest first       not yet handed to a socket; capped at inboxMax
 *   history  list  ids, newest first       handed to a socket; capped at historyMax
 *   read     hash  id → readAt             the client marked it read
 *
 * "Each message once": the sender appends (body stored with HSETNX, so a replayed delivery adds
 * nothing) and publishes a wake-up; a gateway with a socket of the user DRAINS: one Lua script reads
 * every pending id and deletes the list, moving the ids to the history. However many gateways and
 * reconnecting sockets drain at once, each id is handed out by exactly one drain. A drain whose
 * messages found no open socket puts them back (requeue), so they arrive on the next connect.
 *
 * Bounded: the pending list keeps the newest inboxMax messages; an older one is DROPPED (its body too)
 * when a newer one arrives — an offline user gets the latest inboxMax notifications, not all of them.
 * Its delivery still counts as `sent` (the inbox accepted it); the sender logs the drop.
 */
export interface Inbox {
  /** Adds a message to the user's pending list and wakes the gateways. */
  append(userId: string, message: InboxMessage): Promise<{ added: boolean; dropped: number }>;
  /** Takes every pending message (oldest first) and records it as delivered. */
  drain(userId: string): Promise<InboxMessage[]>;
  /** Puts drained messages that reached no socket back in front of the pending list. */
  requeue(userId: string, ids: readonly string[]): Promise<number>;
  /** Marks one of the user's messages read; false when the user has no message of that id. */
  markRead(userId: string, id: string, now: number): Promise<boolean>;
  /** The newest delivered messages with their read flags. */
  history(userId: string, limit: number): Promise<HistoryItem[]>;
  /** Publishes a signal on the user's channel. */
  publish(userId: string, payload: string): Promise<void>;
  /** The user's pub/sub channel name as Redis sees it (the key prefix included). */
  channelOf(userId: string): string;
  /** Deletes everything the inbox keeps of the user (bodies, pending, history, read flags): erasure. */
  erase(userId: string): Promise<void>;
}

export interface HistoryItem extends InboxMessage {
  read: boolean;
  readAt: number | null;
}

export interface InboxOptions {
  /** A command connection (never one in subscriber mode). */
  redis: Redis;
  /** INAPP_INBOX_MAX */
  inboxMax: number;
  /** INAPP_HISTORY_MAX */
  historyMax: number;
}

export function createInbox(options: InboxOptions): Inbox {
  const { redis } = options;
  // ioredis prefixes keys but not pub/sub channels; the prefix isolates deployments (and test stacks) on channels too.
  const prefix = typeof redis.options.keyPrefix === 'string' ? redis.options.keyPrefix : '';
  const channelOf = (userId: string) => `${prefix}${KEYS.inappChannel(userId)}`;

  return {
    channelOf,
    async append(userId, message) {
      const keys = [KEYS.inappItems(userId), KEYS.inappPending(userId)];
      const args = [message.id, encodeInboxMessage(message), options.inboxMax, channelOf(userId), encodeWake({ t: 'wake', u: userId })];
      const [added, dropped] = (await redis.eval(APPEND_SCRIPT, keys.length, ...keys, ...args)) as [number, number];
      return { added: added === 1, dropped };
    },
    async drain(userId) {
      const keys = [KEYS.inappPending(userId), KEYS.inappItems(userId), KEYS.inappHistory(userId), KEYS.inappRead(userId)];
      const bodies = (await redis.eval(DRAIN_SCRIPT, keys.length, ...keys, options.historyMax)) as (string | null)[];
      return bodies.flatMap((body) => decodeInboxMessage(body) ?? []);
    },
    async requeue(userId, ids) {
      if (ids.length === 0) return 0;
      const keys = [KEYS.inappPending(userId), KEYS.inappHistory(userId), KEYS.inappItems(userId)];
      return Number(await redis.eval(REQUEUE_SCRIPT, keys.length, ...keys, ...ids));
    },
    async markRead(userId, id, now) {
      const keys = [KEYS.inappItems(userId), KEYS.inappRead(userId)];
      return Number(await redis.eval(MARK_READ_SCRIPT, keys.length, ...keys, id, now)) === 1;
    },
    async history(userId, limit) {
      const keys = [KEYS.inappHistory(userId), KEYS.inappItems(userId), KEYS.inappRead(userId)];
      const [bodies, reads] = (await redis.eval(HISTORY_SCRIPT, keys.length, ...keys, limit)) as [(string | null)[], (string | null)[]];
      return historyItemsOf(bodies, reads);
    },
    async publish(userId, payload) {
      await redis.publish(channelOf(userId), payload);
    },
    async erase(userId) {
      // One DEL: the keys share the user's hash tag, so this is one step on one Cluster slot too.
      await redis.del(KEYS.inappItems(userId), KEYS.inappPending(userId), KEYS.inappHistory(userId), KEYS.inappRead(userId));
    },
  };
}

/** Joins stored bodies with their read flags (same order); a missing or malformed body is skipped. */
export function historyItemsOf(bodies: readonly (string | null)[], reads: readonly (string | null | undefined)[]): HistoryItem[] {
  return bodies.flatMap((body, i) => {
    const message = decodeInboxMessage(body);
    if (!message) return [];
    const readAt = reads[i] ? Number(reads[i]) : null;
    return [{ ...message, read: readAt !== null, readAt }];
  });
}
