import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import { controlError, handleCommonControl, withJsonBody } from '../shared/control';
import { sendJson } from '../shared/http';
import type { UserDataFaults } from './faults';
import type { UserDataSimulatorStats } from './ledger';

/**
 * The user-data simulator's control API, so tests and benchmarks in another process can steer it:
 * GET|PUT /_control/faults (PUT merges), GET|PUT /_control/unknown-users (PUT `{ prefixes }` replaces
 * the id prefixes the service does not know: their contexts are left out of answers),
 * GET /_control/stats, POST /_control/reset. Loopback tooling: no auth.
 */
export interface UserDataSimulatorControl {
  faults(): UserDataFaults & { seed: number };
  applyFaults(patch: unknown): UserDataFaults & { seed: number };
  unknownPrefixes(): string[];
  setUnknownPrefixes(prefixes: string[]): string[];
  stats(): UserDataSimulatorStats;
  reset(): void;
}

const MAX_CONTROL_BODY = 256 * 1024;

const unknownUsersSchema = z.strictObject({ prefixes: z.array(z.string().min(1).max(128)).max(1000) });

/** Handles one /_control/* request. */
export async function handleUserDataControl(
  request: IncomingMessage, response: ServerResponse, url: URL, control: UserDataSimulatorControl,
): Promise<void> {
  const route = `${request.method ?? 'GET'} ${url.pathname}`;
  if (await handleCommonControl(route, request, response, control, MAX_CONTROL_BODY)) return;
  switch (route) {
    case 'GET /_control/unknown-users':
      return sendJson(response, 200, { prefixes: control.unknownPrefixes() });
    case 'PUT /_control/unknown-users':
      return withJsonBody(request, response, MAX_CONTROL_BODY, (body) => {
        const parsed = unknownUsersSchema.safeParse(body);
        if (!parsed.success) throw new VestnikError('VALIDATION_FAILED', 'expected { prefixes: string[] }');
        return { prefixes: control.setUnknownPrefixes(parsed.data.prefixes) };
      });
    default:
      return controlError(response, 404, 'NOT_FOUND', `no control route ${route}`);
  }
}
