import type { Lane } from '../../platform/lanes';

/**
 * Which consumers a processors or senders process runs for the lanes in LANES. Production runs the express
 * lanes as processes of their own (LANES=express) beside the bulk ones (LANES=bulk): a 100k-recipient
 * mailing then saturates only the bulk processes' event loops and CPU, and can never delay an express
 * message by queueing on the same event loop, GC or thread pool. The default (both) is one process for all.
 */
export interface ProcessorsSelection {
  /** Lanes of the mailing and notification fan-outs. */
  fanoutLanes: Lane[];
  /** Welcome emails (user-registered) and in-app activity notifications: a user is waiting, so express. */
  welcome: boolean;
  activity: boolean;
  /** New-episode emails to every subscriber: bulk. */
  episodes: boolean;
}

export function processorsFor(lanes: readonly Lane[]): ProcessorsSelection {
  const express = lanes.includes('express');
  return {
    fanoutLanes: [...lanes],
    welcome: express,
    activity: express,
    episodes: lanes.includes('bulk'),
  };
}

/** The sender lanes to run and the delivery topics each consumes (retries are bulk work). */
export function senderLanesFor<T extends Record<Lane, readonly string[]>>(lanes: readonly Lane[], topicsOf: T): { lane: Lane; topics: string[] }[] {
  return lanes.map((lane) => ({ lane, topics: [...topicsOf[lane]] }));
}
