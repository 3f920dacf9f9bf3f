import { deliveryIdOf } from '../platform/ids';
import { smsMessageId } from '../senders/sms/message';
import type { SmsSimulator } from '../simulators/sms';
import type { BenchStack } from './stack';
import { pollUntil, sleep } from './stats';

/** One express notification in flight: when it was published and which provider msgId it will carry. */
export interface ExpressProbe {
  publishedAt: number;
  msgId: number;
}

/**
 * Express latency probes: an express SMS notification to one client (POST /api/notifications, the single
 * window other services use), from just before the POST (the publish) until the simulator first accepted
 * its SMS. Everything on the way counts: API, events.notification-requested, the notification fan-out's
 * express lane, deliveries.express, the sender's express lane, the provider.
 */
export function createExpressProber(stack: BenchStack, sms: SmsSimulator, templateId: string, clientId: string) {
  let sequence = 0;
  async function publish(): Promise<ExpressProbe> {
    const publishedAt = Date.now();
    const accepted = await stack.api('POST', '/api/notifications', {
      templateId, userIds: [clientId], priority: 'express', channels: ['sms'], contextJson: JSON.stringify({ n: sequence++ }),
    });
    if (accepted.status !== 202) throw new Error(`express notification refused: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return { publishedAt, msgId: smsMessageId(deliveryIdOf('notification', accepted.body.id, clientId, 'sms')) };
  }

  const acceptedAt = (probe: ExpressProbe): number | null => sms.message(probe.msgId)?.firstAcceptedAt ?? null;

  return {
    publish,
    acceptedAt,
    /** `count` probes one after another on an otherwise idle system; latencies in ms. */
    async idle(count: number): Promise<number[]> {
      const latencies: number[] = [];
      for (let i = 0; i < count; i++) {
        const probe = await publish();
        const accepted = await pollUntil(async () => acceptedAt(probe), { timeoutMs: 30_000, intervalMs: 2, what: 'an idle express SMS' });
        latencies.push(accepted - probe.publishedAt);
        await sleep(50);
      }
      return latencies;
    },
    /**
     * Publishes a probe every `everyMs` until stop() (without waiting for deliveries). A refused create
     * (the API answers 503 while the directory view lags) is counted, not fatal: it is a finding too.
     */
    every(everyMs: number) {
      const probes: ExpressProbe[] = [];
      const refused: string[] = [];
      let running = true;
      const loop = (async () => {
        while (running) {
          const started = Date.now();
          await publish().then((probe) => void probes.push(probe), (error: Error) => void refused.push(error.message));
          await sleep(Math.max(0, everyMs - (Date.now() - started)));
        }
      })();
      return { probes, refused, async stop() { running = false; await loop; return probes; } };
    },
  };
}

/** Latencies of finished probes; waits up to `timeoutMs` for stragglers and counts the ones never accepted. */
export async function settleProbes(probes: readonly ExpressProbe[], acceptedAt: (p: ExpressProbe) => number | null, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && probes.some((p) => acceptedAt(p) === null)) await sleep(20);
  const latencies: number[] = [];
  let lost = 0;
  for (const probe of probes) {
    const at = acceptedAt(probe);
    if (at === null) lost += 1;
    else latencies.push(at - probe.publishedAt);
  }
  return { latencies, lost };
}
