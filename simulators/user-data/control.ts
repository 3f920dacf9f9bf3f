import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import { BodyTooLargeError, readBody, sendJson } from '../shared/http';
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
  switch (route) {
    case 'GET /_control/faults':
      return sendJson(response, 200, control.faults());
    case 'PUT /_control/faults':
      return withJsonBody(request, response, (body) => control.applyFaults(body));
    case 'GET /_control/unknown-users':
      return sendJson(response, 200, { prefixes: control.unknownPrefixes() });
    case 'PUT /_control/unknown-users':
      return withJsonBody(request, response, (body) => {
        const parsed = unknownUsersSchema.safeParse(body);
        if (!parsed.success) throw new VestnikError('VALIDATION_FAILED', 'expected { prefixes: string[] }');
        return { prefixes: control.setUnknownPrefixes(parsed.data.prefixes) };
      });
    case 'GET /_control/stats':
      return sendJson(response, 200, control.stats());
    case 'POST /_control/reset':
      control.reset();
      return sendJson(response, 200, control.stats());
    default:
      return controlError(response, 404, 'NOT_FOUND', `no control route ${route}`);
  }
}

/** Parses a JSON body, applies it, and answers 200 with the result or 400 with the validation error. */
async function withJsonBody(request: IncomingMessage, response: ServerResponse, apply: (body: unknown) => unknown): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request, MAX_CONTROL_BODY));
  } catch (error) {
    const message = error instanceof BodyTooLargeError ? error.message : 'body is not JSON';
    return controlError(response, 400, 'VALIDATION_FAILED', message);
  }
  try {
    sendJson(response, 200, apply(body));
  } catch (error) {
    if (!(error instanceof VestnikError)) throw error;
    controlError(response, 400, error.code, error.message, error.details);
  }
}

function controlError(response: ServerResponse, status: number, code: string, message: string, details?: unknown): void {
  sendJson(response, status, { error: { code, message, details } });
}
