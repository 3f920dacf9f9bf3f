/**
 * Deadlines of outgoing HTTP calls (providers, the user-data service), without a timer per call.
 *
 * `AbortSignal.timeout` arms a timer for every call, 23–32 µs each at a sender's rates (issue 15). Every
 * call of one client has the same timeout, so deadlines come due in the order they were set: they wait
 * in one queue per timeout length, and one timer, armed for the oldest, aborts every call that is due
 * when it fires.
 *
 * A call releases its deadline when it ends. Most calls end in time, so that is the common path: a
 * released deadline is skipped by the sweep, never fired. A deadline calls back when it is due
 * (startDeadline); the providers' calls abort their request from there (exchange.ts). callDeadline
 * wraps one in an AbortSignal for callers that need a signal: it is aborted by its deadline or by its
 * caller's signal, each time with a reason of this call's own (an abort dispatches an event and makes a
 * DOMException, which cost more than the rest of the deadline, hence the signal-free kind).
 */

/** Deadlines due this close together are aborted by one timer run: a deadline may fire up to this late. */
const SWEEP_SLACK_MS = 10;

/** A deadline that calls back when it comes due, unless released first. */
export interface Deadline {
  /** True once the deadline has come due and called back. */
  timedOut(): boolean;
  /** The work is over in time: the deadline will not call back. */
  release(): void;
}

/**
 * One call's deadline, and the signal its request is made with. timedOut() is true once the deadline, not
 * the caller, has aborted the call; release() also stops listening to the caller's signal.
 */
export interface CallDeadline extends Deadline {
  /** Aborts at the deadline (a `TimeoutError`) or when the caller's signal aborts (its reason's name). */
  readonly signal: AbortSignal;
}

interface Pending {
  dueAt: number;
  /** What the deadline does when due (at most once). */
  expire: () => void;
  /** Set by release(): the sweep passes over it. */
  released: boolean;
  timedOut: boolean;
}

/** The deadlines of one timeout length, oldest first, and the one timer for the oldest. */
interface DeadlineQueue {
  pending: Pending[];
  /** Index of the oldest not yet swept (the array is compacted now and then, not shifted per deadline). */
  head: number;
  timer: NodeJS.Timeout | null;
}

// One owner: this module. A queue per timeout length (a process has a handful: one per provider setting).
const queues = new Map<number, DeadlineQueue>();

function queueFor(timeoutMs: number): DeadlineQueue {
  let queue = queues.get(timeoutMs);
  if (!queue) {
    queue = { pending: [], head: 0, timer: null };
    queues.set(timeoutMs, queue);
  }
  return queue;
}

function sweep(queue: DeadlineQueue): void {
  queue.timer = null;
  const now = performance.now();
  while (queue.head < queue.pending.length && queue.pending[queue.head]!.dueAt <= now) {
    const due = queue.pending[queue.head]!;
    queue.pending[queue.head] = undefined as unknown as Pending; // let it be collected before compaction
    queue.head += 1;
    if (due.released) continue;
    due.timedOut = true;
    due.expire();
  }
  if (queue.head === queue.pending.length) {
    queue.pending = [];
    queue.head = 0;
    return;
  }
  if (queue.head > 1024 && queue.head * 2 > queue.pending.length) {
    queue.pending = queue.pending.slice(queue.head);
    queue.head = 0;
  }
  arm(queue, now);
}

function arm(queue: DeadlineQueue, now: number): void {
  const oldest = queue.pending[queue.head]!;
  // Unref'd, as AbortSignal.timeout's: a pending deadline does not keep the process alive.
  queue.timer = setTimeout(sweep, Math.max(0, oldest.dueAt - now) + SWEEP_SLACK_MS, queue).unref();
}

/**
 * Calls `expire` `timeoutMs` from now (up to SWEEP_SLACK_MS late) unless released before: for a caller
 * that can end its work without a signal (platform/http/exchange.ts aborts its request directly).
 */
export function startDeadline(timeoutMs: number, expire: () => void): Deadline {
  const queue = queueFor(timeoutMs);
  const now = performance.now();
  const pending: Pending = { dueAt: now + timeoutMs, expire, released: false, timedOut: false };
  queue.pending.push(pending);
  if (!queue.timer) arm(queue, now);
  return {
    timedOut: () => pending.timedOut,
    release() {
      pending.released = true;
    },
  };
}

/** A call's deadline `timeoutMs` from now (up to SWEEP_SLACK_MS late), cut short by `callerSignal`. */
export function callDeadline(timeoutMs: number, callerSignal?: AbortSignal): CallDeadline {
  const controller = new AbortController();
  // A signal the caller aborted first is not aborted again, and the deadline does not count as timed out.
  let timedOut = false;
  const deadline = startDeadline(timeoutMs, () => {
    if (controller.signal.aborted) return;
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  });
  let onCallerAbort: (() => void) | null = null;
  if (callerSignal) {
    const name = () => (callerSignal.reason instanceof DOMException ? callerSignal.reason.name : 'AbortError');
    onCallerAbort = () => controller.abort(new DOMException('The call was cancelled', name()));
    if (callerSignal.aborted) onCallerAbort();
    else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release() {
      deadline.release();
      if (onCallerAbort) callerSignal!.removeEventListener('abort', onCallerAbort);
    },
  };
}
