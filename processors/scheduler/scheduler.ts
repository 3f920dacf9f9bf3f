import type { TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { describeError } from '../../platform/errors';
import { createLease } from './lease';
import { DELAY_PAGE_SIZE } from './delay-pump';
import { startDueMailings } from './mailing-starts';
import { fireDueRecurring } from './recurring-notifications';
import { finishMailings, type MailingCounts } from './mailing-lifecycle';
import { advanceNotifications, type NotificationCounts } from './notification-lifecycle';
import type { DailyReport } from './daily-report';
import { createFinishedFolds, type FoldResult } from './finished-folds';

export interface SchedulerOptions {
  redis: Redis;
  producer: TypedProducer;
  stats: MailingCounts;
  /** Counts for the notification lifecycle (scheduled → running → finished); without it, runs are not advanced. */
  notificationStats?: NotificationCounts;
  logger: Logger;
  /** Moves due delayed deliveries (retries, deferrals) back to Kafka; returns how many. */
  pumpDelayed(now: number): Promise<number>;
  ownerId: string;
  /** The daily statistics email (daily-report.ts); without it, none is sent. */
  dailyReport?: DailyReport;
  /**
   * Folds a finished mailing's rows in analytics (analytics/fold-mailing.ts; `messages`: how many it has), so
   * that its statistics read one part; without it, nothing is folded.
   */
  foldMailing?(mailingId: string, messages: number): Promise<FoldResult>;
  clock?: { now(): number };
  tickMs?: number;
  lifecycleEveryMs?: number;
  /** How often the daily report looks whether its time has come. */
  reportEveryMs?: number;
}

/**
 * The time-driven part of Vestnik: starts mailings, fires recurring notifications, releases delayed
 * deliveries, finishes mailings, sends the daily statistics email.
 * Every process may run it; a short Redis lease (lease.ts) lets one of them act per tick, so nothing fires twice
 * at once and a dead scheduler is replaced within one lease.
 */
export function createScheduler(options: SchedulerOptions) {
  const clock = options.clock ?? { now: () => Date.now() };
  const tickMs = options.tickMs ?? 250;
  const lifecycleEveryMs = options.lifecycleEveryMs ?? 2000;
  const reportEveryMs = options.reportEveryMs ?? 5000;
  const log = options.logger.child({ module: 'scheduler' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let lifecycleTimer: NodeJS.Timeout | null = null;
  let lifecycleRunning: Promise<void> | null = null;
  let reportTimer: NodeJS.Timeout | null = null;
  let reportRunning: Promise<void> | null = null;
  const folds = options.foldMailing ? createFinishedFolds({ fold: options.foldMailing, logger: options.logger }) : null;
  const lease = createLease({ redis: options.redis, key: KEYS.schedulerLock, ownerId: options.ownerId, ttlMs: Math.max(tickMs * 8, 2000) });

  async function tick(): Promise<void> {
    if (!(await lease.acquireOrRenew())) return;
    const now = clock.now();
    const started = await startDueMailings({ redis: options.redis, producer: options.producer, now });
    const fired = await fireDueRecurring({ redis: options.redis, producer: options.producer, now });
    let released = 0;
    // Drain what is due now in pages, so a burst of retries does not wait a tick per page.
    for (let page = DELAY_PAGE_SIZE; page === DELAY_PAGE_SIZE; released += page) page = await options.pumpDelayed(now);
    if (started > 0 || released > 0 || fired > 0) log.debug({ started, released, fired }, 'scheduler tick');
  }

  /**
   * Finishing mailings and notification runs asks analytics, and those queries grow with the audience
   * (about a second at a million deliveries): they run on a loop of their own, so a slow one never delays
   * a mailing start or a retry release, and the next waits nine times as long as the last took, so they
   * never keep ClickHouse busy more than a tenth of the time. Only the lease holder does it.
   */
  async function lifecycle(): Promise<void> {
    if (!(await lease.holds())) return;
    const now = clock.now();
    const finished = await finishMailings({ redis: options.redis, stats: options.stats, now });
    for (const { id } of finished) log.info({ mailingId: id }, 'mailing finished');
    folds?.add(finished);
    if (options.notificationStats) {
      const done = await advanceNotifications({ redis: options.redis, stats: options.notificationStats, now });
      for (const requestId of done) log.info({ requestId }, 'notification finished');
    }
    // Last, after the finish is recorded: the API shows a mailing finished as soon as its messages are, and the
    // fold (about a second at a million) counts toward this loop's pacing like the checks do. A check that
    // failed above leaves the folds added for the next run.
    await folds?.run();
  }

  function lifecycleLoop(): void {
    const began = Date.now();
    let failed = false;
    lifecycleRunning = lifecycle()
      .catch((error) => {
        failed = true;
        log.warn({ err: describeError(error) }, 'lifecycle check failed; trying again');
      })
      .finally(() => {
        lifecycleRunning = null;
        const wait = nextLifecycleWait({ spentMs: Date.now() - began, failed, everyMs: lifecycleEveryMs });
        if (lifecycleTimer !== null) lifecycleTimer = setTimeout(lifecycleLoop, wait);
      });
  }

  /**
   * The daily report looks at the clock on a loop of its own, in every process and not only the lease
   * holder's: its once-a-day guard is its own claim in Redis (daily-report.ts), which must hold whoever holds
   * the lease (a lease can lapse mid-tick), and a slow report query never delays a tick. A look costs a
   * date computation; Redis is asked only when a day is due and not known to be sent.
   */
  function reportLoop(): void {
    const report = options.dailyReport;
    if (!report) return;
    reportRunning = report.runIfDue(clock.now())
      .then(() => undefined)
      .catch((error) => log.warn({ err: describeError(error) }, 'daily report failed; trying again'))
      .finally(() => {
        reportRunning = null;
        if (reportTimer !== null) reportTimer = setTimeout(reportLoop, reportEveryMs);
      });
  }

  function loop(): void {
    running = tick()
      .catch((error) => log.warn({ err: describeError(error) }, 'scheduler tick failed; trying again next tick'))
      .finally(() => {
        running = null;
        if (timer !== null) timer = setTimeout(loop, tickMs);
      });
  }

  return {
    start(): void {
      if (timer !== null) return;
      timer = setTimeout(loop, 0);
      lifecycleTimer = setTimeout(lifecycleLoop, lifecycleEveryMs);
      if (options.dailyReport) reportTimer = setTimeout(reportLoop, 0);
    },
    /** Stops ticking and waits for the tick, the lifecycle check and the report in progress. */
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      if (lifecycleTimer) clearTimeout(lifecycleTimer);
      if (reportTimer) clearTimeout(reportTimer);
      timer = null;
      lifecycleTimer = null;
      reportTimer = null;
      await Promise.all([running, lifecycleRunning, reportRunning]);
      await lease.release();
    },
    tick,
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;

/** The longest pause between two lifecycle checks, however slow the last one was. */
export const MAX_LIFECYCLE_WAIT_MS = 30_000;

/**
 * When the next lifecycle check runs: nine times as long as a successful one took (so analytics is asked at
 * most a tenth of the time), at least `everyMs`, at most MAX_LIFECYCLE_WAIT_MS. A failed check spent its time
 * waiting on an unreachable Redis or ClickHouse, not querying, so the next comes after `everyMs`: a mailing
 * finishes soon after the outage instead of minutes later.
 */
export function nextLifecycleWait(last: { spentMs: number; failed: boolean; everyMs: number }): number {
  if (last.failed) return last.everyMs;
  return Math.min(MAX_LIFECYCLE_WAIT_MS, Math.max(last.everyMs, 9 * last.spentMs));
}

