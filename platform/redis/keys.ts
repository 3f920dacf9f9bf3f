/**
 * Every Redis key Vestnik uses, in one place. The directory view (client/mailing/template docs and their
 * indexes) is derived from the compacted state.* topics and can be rebuilt from them; the rest (schedules,
 * fan-out checkpoints, delivery claims, the delay queue) is operational state.
 */
/** What every view-offset key starts with (KEYS.viewOffset). */
export const VIEW_OFFSET_PREFIX = 'view:offset:';

export const KEYS = {
  client: (id: string) => `client:${id}`,
  clientIds: 'clients',
  clientsByTag: (tag: string) => `clients:tag:${tag}`,
  clientsByOperator: (code: string) => `clients:op:${code}`,
  /** Clients by exact phone and by email (lower-cased: addresses are matched case-insensitively), for the console's search. */
  clientsByPhone: (phone: string) => `clients:phone:${phone}`,
  clientsByEmail: (email: string) => `clients:email:${email.toLowerCase()}`,
  /** Subscribers of a series (lexicographic zset of client ids): the episode fan-out pages it. */
  clientsBySeries: (seriesId: string) => `clients:series:${seriesId}`,
  mailing: (id: string) => `mailing:${id}`,
  mailingIds: 'mailings',
  template: (id: string) => `template:${id}`,
  templateIds: 'templates',
  /** Last state-topic offset applied to the view, per partition: read-your-writes waits on it. */
  viewOffset: (topic: string, partition: number) => `${VIEW_OFFSET_PREFIX}${topic}:${partition}`,
  /** Mailings waiting for their start time (score = startAt). */
  mailingSchedule: 'schedule:mailings',
  /** Recurring notification requests by next fire time, and each request's definition (deleted = cancelled). */
  recurringSchedule: 'schedule:recurring',
  recurring: (requestId: string) => `recurring:${requestId}`,
  /** Runtime lifecycle of a mailing: status, fan-out progress, times. */
  mailingRun: (id: string) => `mailing-run:${id}`,
  /** Mailings whose fan-out started and which are not finished yet (the scheduler finishes them). */
  runningMailings: 'mailings:running',
  /** Held while one writer reads, checks and writes a resource (platform/stores/resource-lock.ts). */
  resourceLock: (kind: string, id: string) => `lock:${kind}:${id}`,
  /** An Idempotency-Key's reservation or remembered answer (ingest/middleware/idempotency-store.ts); `hash` hides the caller and key. */
  idempotency: (hash: string) => `idempotency:${hash}`,
  /** Only one scheduler acts per tick, whatever the number of processes. */
  schedulerLock: 'scheduler:lock',
  /** The daily statistics email of a local day (yyyy-MM-dd): "claimed:<owner>" while one scheduler sends it, then "sent". */
  dailyReport: (day: string) => `daily-report:${day}`,
  /** Fan-out checkpoint of a mailing: where to resume after a crash. */
  fanoutCursor: (mailingId: string) => `fanout:${mailingId}`,
  /** Which consumer group writes the dead letter of a record read by both fan-out lanes (its group id). */
  deadLetterOwner: (topic: string, partition: number, offset: string) => `dead-letter:${topic}:${partition}:${offset}`,
  /** A delivery's claim: "sending:<owner>" while in flight (leased), "done:<status>" once final. */
  deliveryClaim: (deliveryId: string) => `delivery:${deliveryId}`,
  /**
   * A client's frequency-cap counter (senders/core/frequency-caps.ts): the deliveries counted in the
   * rule's window, scored by time. `{clientId}` keeps one client's counters in one Redis Cluster slot.
   */
  frequencyCap: (clientId: string, counter: string) => `cap:{${clientId}}:${counter}`,
  /** A provider's rate bucket (senders/core/provider-rates.ts): the theoretical time of its next message. */
  providerRate: (channel: string, bucket: string) => `rate:{${channel}}:${bucket}`,
  /** Delayed commands (retries, deferrals) by due time, and their encoded payloads. */
  delayQueue: 'delay:due',
  delayPayload: (member: string) => `delay:payload:${member}`,
  /**
   * The same on a Redis Cluster: the `{delay}` tag puts the queue and its payloads in one slot, so its MULTI
   * and ack script may touch them together (one queue, one slot, as BullMQ does per queue). One Redis keeps
   * the untagged names, so an upgrade finds the records it queued before.
   */
  clusterDelayQueue: '{delay}:due',
  clusterDelayPayload: (member: string) => `{delay}:payload:${member}`,
  /**
   * In-app inbox of a user (senders/inapp/inbox.ts explains the design): message bodies by id, the
   * pending ids not yet sent to a socket (oldest first), the sent ids (newest first), read flags. The
   * `{userId}` hash tag keeps one user's keys in one Redis Cluster slot, so its Lua scripts may touch them all.
   */
  inappItems: (userId: string) => `inapp:{${userId}}:items`,
  inappPending: (userId: string) => `inapp:{${userId}}:pending`,
  inappHistory: (userId: string) => `inapp:{${userId}}:history`,
  inappRead: (userId: string) => `inapp:{${userId}}:read`,
  /** Pub/sub channel of a user's wake-ups (channels are not keys: callers add the key prefix themselves). */
  inappChannel: (userId: string) => `inapp:wake:${userId}`,
  /**
   * The prefix of one request budget's counters (ingest/rate-limiters.ts): rate-limiter-flexible appends
   * `:<hashed caller>`, and the client's key prefix goes in front. One key per counter, so Cluster-safe.
   */
  rateLimit: (budget: string) => `rate-limit:${budget}`,
  /** A console session and a sign-in in progress (ingest/console/session-store.ts), by a SHA-256 of the cookie, never the cookie itself. */
  consoleSession: (hash: string) => `console:session:${hash}`,
  consoleLogin: (hash: string) => `console:login:${hash}`,
} as const;

/** The view's index key prefixes, for a rebuild that clears them. */
export const VIEW_KEY_PATTERNS = ['client:*', 'clients', 'clients:*', 'mailing:*', 'mailings', 'template:*', 'templates', 'view:offset:*'];

/** The notification run records' keys ("broadcast history", domain/notification-run/). */
export interface NotificationRunKeys {
  /** A request's lifecycle record: header, status, times, fan-out tally. */
  run(id: string): string;
  /** Top-level runs (not occurrences) by createdAt, all of them and per status. */
  runs: string;
  runsByStatus(status: string): string;
  /** The occurrences of a recurring request by fire time. */
  occurrences(id: string): string;
  /** Runs not yet finished or cancelled (the scheduler moves them along). */
  active: string;
}

const NOTIFICATION_RUN_KEYS: NotificationRunKeys = {
  run: (id) => `notification-run:${id}`,
  runs: 'notifications:by-time',
  runsByStatus: (status) => `notifications:status:${status}`,
  occurrences: (id) => `notification-run:${id}:occurrences`,
  active: 'notifications:active',
};

/**
 * The same on a Redis Cluster: one Lua script moves a run between its indexes, so the `{notifications}` tag
 * keeps every run record and index in one slot (a record per request, not per recipient: small enough for
 * one node). One Redis keeps the untagged names, so an upgrade finds the records written before.
 */
const CLUSTER_NOTIFICATION_RUN_KEYS: NotificationRunKeys = {
  run: (id) => `{notifications}:run:${id}`,
  runs: '{notifications}:by-time',
  runsByStatus: (status) => `{notifications}:status:${status}`,
  occurrences: (id) => `{notifications}:run:${id}:occurrences`,
  active: '{notifications}:active',
};

export function notificationRunKeys(redis: { isCluster: boolean }): NotificationRunKeys {
  return redis.isCluster ? CLUSTER_NOTIFICATION_RUN_KEYS : NOTIFICATION_RUN_KEYS;
}
