import { VestnikError } from './errors';

/**
 * The two priority lanes every stage of the pipeline keeps apart: `express` (someone is waiting for the
 * message) and `bulk` (mailings, digests). LANES picks which of them a processors/senders process runs.
 */
export const LANES = ['express', 'bulk'] as const;
export type Lane = (typeof LANES)[number];

/** "express", "bulk" or "express,bulk" (any order, spaces allowed) → the lanes in canonical order. */
export function parseLanes(raw: string): Lane[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(LANES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new VestnikError('CONFIG_INVALID', `LANES must list express and/or bulk, separated by commas; got "${raw}"`);
  }
  return LANES.filter((lane) => names.includes(lane));
}
