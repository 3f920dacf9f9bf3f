/**
 * Deadlines of outgoing HTTP calls (providers, the user-data service), without a timer per call.
 *
 * `AbortSignal.timeout` arms a timer for every call, 23–32 µs each at a sender's rates (issue 15). Every
 * call of one client has the same timeout, so deadlines come due in the order they were set: they wait
 * in one queue per timeout length, and one timer, armed for the oldest, aborts every call that is due
 * when it fires. Like `AbortSignal.timeout`, a deadline fires whether or not its call has finished (an
 * abort with nobody listening does nothing) and aborts with a `TimeoutError`.
 */

/** Deadlines due this close together are aborted by one timer run: a deadline may fire up to this late. */
const SWEEP_SLACK_MS = 10;

interface Pending {
  dueAt: number;
  controller: AbortController;
}

/** The deadlines of one timeout length, oldest first, and the one timer for the oldest. */
interface DeadlineQueue {
  pending: Pending[];
  /** Index of the oldest not yet aborted (the array is compacted now and then, not shifted per deadline). */
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
  // One reason for every call this run aborts: a DOMException costs ~10 µs to make, twice the abort. A
  // caller that judges errors by their reason's identity makes its own per call (provider-http.ts does).
  let reason: DOMException | undefined;
  while (queue.head < queue.pending.length && queue.pending[queue.head]!.dueAt <= now) {
    const { controller } = queue.pending[queue.head]!;
    queue.pending[queue.head] = undefined as unknown as Pending; // let it be collected before compaction
    queue.head += 1;
    reason ??= new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    controller.abort(reason);
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

/** A signal that aborts `timeoutMs` from now (up to SWEEP_SLACK_MS late), with a `TimeoutError`. */
export function deadlineSignal(timeoutMs: number): AbortSignal {
  const queue = queueFor(timeoutMs);
  const controller = new AbortController();
  const now = performance.now();
  queue.pending.push({ dueAt: now + timeoutMs, controller });
  if (!queue.timer) arm(queue, now);
  return controller.signal;
}

/** A deadline of `timeoutMs`, combined with the caller's own signal when it has one. */
export function deadlineSignals(timeoutMs: number, signal?: AbortSignal): { deadline: AbortSignal; signal: AbortSignal } {
  const deadline = deadlineSignal(timeoutMs);
  return { deadline, signal: signal ? AbortSignal.any([deadline, signal]) : deadline };
}
