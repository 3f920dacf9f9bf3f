import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import { controlError, handleCommonControl, withJsonBody } from '../shared/control';
import { sendJson } from '../shared/http';
import type { PushFaults } from './faults';
import type { AcceptedPush, PushSimulatorStats } from './ledger';

/**
 * The push simulator's control API, so tests and benchmarks in another process can steer it:
 * GET|PUT /_control/faults (PUT merges), GET|PUT /_control/invalid-tokens (PUT `{ tokens, mode? }`,
 * mode `add` (default) or `replace`), GET /_control/stats, GET /_control/messages?token=,
 * POST /_control/reset. Loopback tooling: no auth.
 */
export interface PushSimulatorControl {
  faults(): PushFaults & { seed: number };
  applyFaults(patch: unknown): PushFaults & { seed: number };
  invalidTokens(): string[];
  setInvalidTokens(tokens: string[], mode: 'add' | 'replace'): string[];
  stats(): PushSimulatorStats;
  messages(token?: string): AcceptedPush[];
  reset(): void;
}

const MAX_CONTROL_BODY = 256 * 1024;

const invalidTokensSchema = z.strictObject({
  tokens: z.array(z.string().min(1).max(4096)).max(10_000),
  mode: z.enum(['add', 'replace']).default('add'),
});

/** Handles one /_control/* request. */
export async function handlePushControl(request: IncomingMessage, response: ServerResponse, url: URL, control: PushSimulatorControl): Promise<void> {
  const route = `${request.method ?? 'GET'} ${url.pathname}`;
  if (await handleCommonControl(route, request, response, control, MAX_CONTROL_BODY)) return;
  switch (route) {
    case 'GET /_control/invalid-tokens':
      return sendJson(response, 200, { tokens: control.invalidTokens() });
    case 'PUT /_control/invalid-tokens':
      return withJsonBody(request, response, MAX_CONTROL_BODY, (body) => {
        const parsed = invalidTokensSchema.safeParse(body);
        if (!parsed.success) throw new VestnikError('VALIDATION_FAILED', 'expected { tokens: string[], mode?: "add" | "replace" }');
        return { tokens: control.setInvalidTokens(parsed.data.tokens, parsed.data.mode) };
      });
    case 'GET /_control/messages':
      return sendJson(response, 200, { messages: control.messages(url.searchParams.get('token') ?? undefined) });
    default:
      return controlError(response, 404, 'NOT_FOUND', `no control route ${route}`);
  }
}
