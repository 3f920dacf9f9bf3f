import { Pool } from 'undici';
import { perSecond } from './stats';

export interface RawProviderResult {
  requests: number;
  concurrency: number;
  ok: number;
  ms: number;
  requestsPerSecond: number;
}

/**
 * The SMS simulator alone: `requests` sends over a keep-alive undici pool with `concurrency` connections
 * (as the SMS sender's pool), each worker sending as soon as its previous answer arrived. The ceiling of
 * what any sender could deliver to this provider from this machine.
 */
export async function measureRawProvider(url: string, token: string, requests: number, concurrency: number): Promise<RawProviderResult> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < requests) {
      const msgId = 1_000_000_000 + next++;
      const body = JSON.stringify({ id: msgId, phone: 79001234567, text: 'Bench Client 12345' });
      const response = await pool.request({ method: 'POST', path: `/v1/send/${msgId}`, headers, body });
      await response.body.text();
      if (response.statusCode === 200) ok += 1;
    }
  };
  const started = Date.now();
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.close();
  }
  const ms = Date.now() - started;
  return { requests, concurrency, ok, ms, requestsPerSecond: perSecond(requests, ms) };
}
