import type { IncomingMessage, ServerResponse } from 'node:http';
import { Delays, sendJson } from './http';

/** The steps every simulated provider request goes through, whatever the provider. */

export interface RequestDraws {
  latencyDraw: number;
  faultDraw: number;
}

/**
 * Counts the request in flight until its connection closes, and takes both seeded draws at once,
 * whatever the outcome will be, so one seed always yields the same fault sequence.
 */
export function beginRequest(
  response: ServerResponse, ledger: { requestStarted(): void; requestEnded(): void }, random: () => number,
): RequestDraws {
  ledger.requestStarted();
  response.once('close', () => ledger.requestEnded());
  const latencyDraw = random();
  const faultDraw = random();
  return { latencyDraw, faultDraw };
}

/** Waits the added latency; false when the client gave up (closed the connection) or the server stopped first. */
export async function waitLatency(delays: Delays, latency: number, response: ServerResponse): Promise<boolean> {
  return latency <= 0 || delays.wait(latency, response);
}

/** Holds the request without a word for `hangMs`, then drops the connection: a provider that never answers. */
export async function hangThenDrop(delays: Delays, hangMs: number, response: ServerResponse): Promise<void> {
  if (await delays.wait(hangMs, response)) response.socket?.destroy();
}

/**
 * Answers a request during an outage of mode `drop` (the connection is cut without a word) or
 * `unavailable` (503 with the provider's error body). False when there is no outage to answer.
 */
export function answerOutage(
  outage: { mode: 'drop' | 'unavailable' } | null, request: IncomingMessage, response: ServerResponse,
  ledger: { record(outcome: 'dropped' | 'unavailable'): void }, unavailableBody: () => unknown,
): boolean {
  if (!outage) return false;
  if (outage.mode === 'drop') {
    ledger.record('dropped');
    request.socket.destroy();
  } else {
    ledger.record('unavailable');
    sendJson(response, 503, unavailableBody());
  }
  return true;
}
