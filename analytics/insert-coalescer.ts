/**
 * One ClickHouse INSERT for the batches of several partitions. kafkajs hands the analytics consumer one
 * partition's batch at a time; a fetch under load holds a batch of each of deliveries.status's partitions,
 * and inserting each on its own wrote a part of a few hundred rows per partition (1M messages took 5,886
 * inserts, and ClickHouse merged those small parts again and again: merges were 59% of its CPU).
 *
 * Batches handed over while an insert is gathering join it; the insert goes out `lingerMs` after its first
 * batch, or at once when it holds `maxRows`. Every batch's promise settles with its insert, so a partition
 * commits its offsets only after its rows are written, and a failed insert fails every batch in it (each
 * partition then retries on its own; statusIds make a row inserted twice count once).
 */
import type { DeliveryStatus } from '../schemas/types';
import type { StatusStore } from './status-store';

export interface CoalescingPolicy {
  /** How long an insert waits for more batches after its first, in ms. */
  lingerMs: number;
  /** An insert goes out at once when it holds this many rows. */
  maxRows: number;
}

/** A fetch's partition batches reach the handler within tens of ms of each other (each is decoded first). */
export const DEFAULT_COALESCING: CoalescingPolicy = { lingerMs: 100, maxRows: 20_000 };

interface Gathering {
  rows: DeliveryStatus[];
  timer: NodeJS.Timeout | null;
  done: Promise<void>;
  send(): void;
}

/** A StatusStore whose concurrent calls share inserts into `store`. */
export function coalesceInserts(store: StatusStore, policy: CoalescingPolicy = DEFAULT_COALESCING): StatusStore {
  if (!(policy.lingerMs >= 0) || !(policy.maxRows >= 1)) throw new RangeError(`bad coalescing policy: ${JSON.stringify(policy)}`);
  let gathering: Gathering | null = null;

  const open = (): Gathering => {
    let release!: () => void;
    const start = new Promise<void>((resolve) => { release = resolve; });
    const next: Gathering = {
      rows: [],
      timer: null,
      // The insert starts when released; a rejection reaches every batch that awaits `done`.
      done: start.then(() => store.insertBatch(next.rows)),
      send() {
        if (gathering === next) gathering = null;
        if (next.timer !== null) clearTimeout(next.timer);
        next.timer = null;
        release();
      },
    };
    next.timer = setTimeout(() => next.send(), policy.lingerMs);
    return next;
  };

  return {
    insertBatch(statuses) {
      if (statuses.length === 0) return Promise.resolve();
      const insert = gathering ?? (gathering = open());
      for (const status of statuses) insert.rows.push(status);
      if (insert.rows.length >= policy.maxRows) insert.send();
      return insert.done;
    },
  };
}
