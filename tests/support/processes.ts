import type { Role } from '../../cli/roles';
import { createRoleProcess as createVestnikProcess, type ManagedChild } from '../../infra/local/child-processes';
import { TEST_ADMIN_KEY } from './stack';

export { killAllChildren, type ManagedChild } from '../../infra/local/child-processes';

/** A Vestnik role process (infra/local/child-processes.ts) that accepts the tests' admin key, like startStack. */
export function createRoleProcess(options: { roles: Role[]; id: string; env?: Record<string, string>; name?: string }): ManagedChild {
  return createVestnikProcess({ ...options, apiKeys: `${TEST_ADMIN_KEY}:admin` });
}
