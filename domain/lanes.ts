import type { Priority } from '../schemas/types';

/**
 * The fan-outs run one consumer group per priority ("lane") on the same topic, so a 100k-recipient bulk
 * mailing paging through its audience never holds an express request back: each lane reads every record
 * and handles only its own priority. Skipped records are committed with the batch (the other lane's
 * group handles them), so both groups move past every record exactly as a single group would. A record
 * neither can use (undecodable, invalid) is dead-lettered by one of them only: lane-dead-letters.ts.
 */
export const FANOUT_LANES = ['express', 'bulk'] as const;
export type FanoutLane = (typeof FANOUT_LANES)[number];

/**
 * Whether a record of `priority` is this lane's work. An unknown priority (a mailing not in the view yet,
 * so nothing to read it from) goes to the bulk lane, which handles it as the single consumer did.
 */
export function belongsToLane(priority: Priority | null | undefined, lane: FanoutLane): boolean {
  return (priority === 'express' ? 'express' : 'bulk') === lane;
}
