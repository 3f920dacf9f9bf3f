/** Deadlines of outgoing HTTP calls (providers, the user-data service). */

/** A deadline of `timeoutMs`, combined with the caller's own signal when it has one. */
export function deadlineSignals(timeoutMs: number, signal?: AbortSignal): { deadline: AbortSignal; signal: AbortSignal } {
  const deadline = AbortSignal.timeout(timeoutMs);
  return { deadline, signal: signal ? AbortSignal.any([deadline, signal]) : deadline };
}
