/**
 * How a partition's batch of commands is settled: in chunks, a few at a time.
 *
 * A chunk's claims are in flight only until the chunk is recorded, never for a whole fetch, so a slow
 * batch cannot outlive the lease and be re-sent by its own replay. Two chunks at a time: the next one's
 * claims and sends start while the previous one waits for its last answers and records them, so the
 * provider's slots do not stand idle at every chunk's end. The caller commits the batch's offsets only
 * after this returns, once every chunk is recorded.
 */

/** Chunks claimed, sent and recorded at once. */
export const CHUNKS_IN_FLIGHT = 2;

/**
 * Runs `settle` on each `size`-long chunk of `items` in order, at most `inFlight` at once, calling
 * `heartbeat` as chunks finish. If one fails, the others still running are waited for (none is left
 * running when the batch is retried: its claims would meet their own leases), then the failure is thrown.
 */
export async function settleInChunks<T>(
  items: readonly T[], size: number, settle: (chunk: T[]) => Promise<void>, heartbeat: () => Promise<void>, inFlight = CHUNKS_IN_FLIGHT,
): Promise<void> {
  const settling: Promise<void>[] = [];
  try {
    for (let i = 0; i < items.length; i += size) {
      if (settling.length === inFlight) {
        await settling.shift();
        await heartbeat();
      }
      const chunk = settle(items.slice(i, i + size));
      chunk.catch(() => undefined); // awaited in turn; a rejection before then is not unhandled
      settling.push(chunk);
    }
    await Promise.all(settling);
  } catch (error) {
    await Promise.allSettled(settling);
    throw error;
  }
  await heartbeat();
}
