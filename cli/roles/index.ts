import type { Runtime, Stoppable } from '../runtime';
import { startAnalytics } from './analytics';
import { startApi } from './api';
import { startProcessors } from './processors';
import { startScheduler } from './scheduler';
import { startSenders } from './senders';
import { startSimulators } from './simulators';

/** Every role a process can run; each returns what it started, to be stopped newest first. */
export const ROLES: Record<string, (runtime: Runtime) => Promise<Stoppable[]>> = {
  api: startApi,
  processors: startProcessors,
  senders: startSenders,
  analytics: startAnalytics,
  scheduler: startScheduler,
  simulators: startSimulators,
};

export type Role = 'api' | 'processors' | 'senders' | 'analytics' | 'scheduler' | 'simulators';

/** What `all` means: every production role (the simulators are for local runs and tests). */
export const ALL_ROLES: readonly Role[] = ['api', 'processors', 'senders', 'analytics', 'scheduler'];

/** Starts roles in order; if one fails, the ones already started are stopped before the error goes on. */
export async function startRoles(runtime: Runtime, roles: readonly Role[], started: Stoppable[] = []): Promise<Stoppable[]> {
  try {
    for (const role of roles) {
      const start = ROLES[role];
      if (!start) throw new TypeError(`unknown role ${role}`);
      started.push(...(await start(runtime)));
      runtime.logger.info({ role }, 'role started');
    }
    return started;
  } catch (error) {
    for (const part of [...started].reverse()) await part.stop().catch(() => undefined);
    throw error;
  }
}
