/**
 * Restarting a consumer that kafkajs gave up on. kafkajs restarts a crashed consumer by itself only
 * when the error is retriable (CRASH with `restart: true`); any other crash (a broker verdict such as
 * MESSAGE_TOO_LARGE on the dead-letter produce, a coordinator error during a broker restart) leaves it
 * disconnected for good: the group loses this member and its partitions stop, silently. Here the
 * member is brought back after an exponential, jittered, capped backoff, with a log line per crash, and
 * again if the restart itself fails. A poison batch that crashes every time keeps the partition stuck,
 * but loudly and without a restart storm; a passing fault heals by itself.
 */
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { Timers } from './partition-backoff';

export interface CrashRestartPolicy {
  /** Pause before the first restart. */
  initialDelayMs: number;
  /** Cap of the exponential growth. */
  maxDelayMs: number;
}

export const DEFAULT_CRASH_RESTART_POLICY: CrashRestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 60_000 };

export type CrashDecision =
  | { action: 'none'; reason: 'kafkajs-restarts' | 'stopping' }
  | { action: 'restart'; delayMs: number; attempt: number };

/**
 * What to do after a CRASH event: nothing when kafkajs restarts the consumer itself or the consumer is
 * being stopped; otherwise restart after `initial * 2^crashes` capped at `max`, the upper half jittered
 * ("equal jitter"), so a fleet hitting the same fault does not restart in lockstep.
 */
export function decideCrashRestart(
  input: { kafkajsRestarts: boolean; stopping: boolean; previousCrashes: number },
  policy: CrashRestartPolicy,
  random: () => number = Math.random,
): CrashDecision {
  if (input.stopping) return { action: 'none', reason: 'stopping' };
  if (input.kafkajsRestarts) return { action: 'none', reason: 'kafkajs-restarts' };
  const exponent = Math.min(input.previousCrashes, 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  const delayMs = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return { action: 'restart', delayMs, attempt: input.previousCrashes + 1 };
}

/** The part of a kafkajs consumer the restarter drives. */
export interface RestartableConsumer {
  connect(): Promise<void>;
  /** Joins the group and runs with the same handlers as the first start. */
  run(): Promise<void>;
}

export interface CrashRestarter {
  /** Feed every CRASH event here. */
  onCrash(payload: { error: Error; restart: boolean }): void;
  /** The consumer processed a batch: the next crash starts from the initial delay again. */
  healthy(): void;
  /** No restart from now on; waits for a restart in progress to finish (the caller then disconnects). */
  stop(): Promise<void>;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Wires decideCrashRestart to a consumer: schedules the restart, retries a restart that fails. */
export function createCrashRestarter(options: {
  consumer: RestartableConsumer;
  logger: Logger;
  policy?: Partial<CrashRestartPolicy>;
  timers?: Timers;
  random?: () => number;
}): CrashRestarter {
  const policy = { ...DEFAULT_CRASH_RESTART_POLICY, ...options.policy };
  const timers = options.timers ?? realTimers;
  const { logger } = options;
  let crashes = 0;
  let stopping = false;
  let pending: unknown = null;
  let restarting: Promise<void> | null = null;

  const schedule = (kafkajsRestarts: boolean, reason: string): void => {
    const decision = decideCrashRestart({ kafkajsRestarts, stopping, previousCrashes: crashes }, policy, options.random);
    if (decision.action === 'none') {
      if (decision.reason === 'kafkajs-restarts') logger.warn({ reason }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    crashes = decision.attempt;
    logger.error({ reason, attempt: decision.attempt, delayMs: decision.delayMs },
      'consumer crashed and kafkajs will not restart it; restarting it after backoff');
    if (pending !== null) timers.clearTimeout(pending);
    pending = timers.setTimeout(() => {
      pending = null;
      restarting = restart().finally(() => {
        restarting = null;
      });
    }, decision.delayMs);
  };

  const restart = async (): Promise<void> => {
    if (stopping) return;
    try {
      await options.consumer.connect();
      await options.consumer.run();
      logger.info({ attempt: crashes }, 'consumer restarted after a crash');
    } catch (error) {
      // Broker still down, or the group refused us: try again, later each time.
      schedule(false, `restart failed: ${describeError(error)}`);
    }
  };

  return {
    onCrash(payload) {
      schedule(payload.restart, describeError(payload.error));
    },
    healthy() {
      crashes = 0;
    },
    async stop() {
      stopping = true;
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
      await restarting;
    },
  };
}
