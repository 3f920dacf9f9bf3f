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
 * The SMS simulator alone for `durationMs`: sends over a keep-alive undici pool with `concurrency`
 * connections (as the SMS sender's pool), each worker sending as soon as its previous answer arrived. The
 * ceiling of what any sender could deliver to this provider from this machine. msgIds start at
 * `firstMsgId`, apart from every real message's.
 */
export async function measureRawProvider(
  url: string, token: string, options: { durationMs: number; concurrency: number; firstMsgId: number },
): Promise<RawProviderResult> {
  const { durationMs, concurrency } = options;
  const pool = new Pool(url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  let sent = 0;
  let ok = 0;
  const started = Date.now();
  const stopAt = started + durationMs;
  const worker = async () => {
    while (Date.now() < stopAt) {
      const msgId = options.firstMsgId + sent++;
      const body = JSON.stringify({ id: msgId, phone: 79001234567, text: 'Bench Client 12345' });
      const response = await pool.request({ method: 'POST', path: `/v1/send/${msgId}`, headers, body });
      await response.body.text();
      if (response.statusCode === 200) ok += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await pool.close();
  }
  const ms = Date.now() - started;
  return { requests: sent, concurrency, ok, ms, requestsPerSecond: perSecond(sent, ms) };
}
