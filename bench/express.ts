import { deliveryIdOf } from '../platform/ids';
import { smsMessageId } from '../senders/sms/message';
import type { SmsControlClient } from '../simulators/sms/control-client';
import type { Deployment } from './deployment';
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
export function createExpressProber(vestnik: Deployment, sms: SmsControlClient, templateId: string, clientId: string) {
  let sequence = 0;
  async function publish(): Promise<ExpressProbe> {
    const publishedAt = Date.now();
    const accepted = await vestnik.api('POST', '/api/notifications', {
      templateId, userIds: [clientId], priority: 'express', channels: ['sms'], contextJson: JSON.stringify({ n: sequence++ }),
    });
    if (accepted.status !== 202) throw new Error(`express notification refused: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return { publishedAt, msgId: smsMessageId(deliveryIdOf('notification', accepted.body.id, clientId, 'sms')) };
  }

  return {
    /** `count` probes one after another on an otherwise idle system; latencies in ms. */
    async idle(count: number): Promise<number[]> {
      const latencies: number[] = [];
      for (let i = 0; i < count; i++) {
        const probe = await publish();
        const accepted = await pollUntil(async () => (await sms.message(probe.msgId))?.firstAcceptedAt ?? null, {
          timeoutMs: 30_000, intervalMs: 2, what: 'an idle express SMS',
        });
        latencies.push(accepted - probe.publishedAt);
        await sleep(50);
      }
      return latencies;
    },
    /**
     * Publishes a probe every `everyMs` until stop(), open loop: on a fixed schedule, whether or not the
     * previous publish has returned (a slow API must not thin out the probes exactly when it is slow).
     * A refused create (the API answers 503 while the directory view lags) is counted, not fatal: it is a
     * finding too.
     */
    every(everyMs: number) {
      const probes: ExpressProbe[] = [];
      const refused: string[] = [];
      const inFlight = new Set<Promise<void>>();
      const fire = () => {
        const done: Promise<void> = publish().then((probe) => void probes.push(probe), (error: Error) => void refused.push(error.message))
          .finally(() => inFlight.delete(done));
        inFlight.add(done);
      };
      fire();
      const timer = setInterval(fire, everyMs);
      return {
        probes, refused,
        /** No more probes from now; resolves with every probe published once those in flight returned. */
        async stop() {
          clearInterval(timer);
          await Promise.all([...inFlight]);
          return probes;
        },
      };
    },
  };
}

/** Latencies of the probes; waits up to `timeoutMs` for stragglers and counts the ones never accepted. */
export async function settleProbes(sms: SmsControlClient, probes: readonly ExpressProbe[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let records = await sms.messages(probes.map((p) => p.msgId));
  while (Date.now() < deadline && records.some((record) => record?.firstAcceptedAt == null)) {
    await sleep(200);
    records = await sms.messages(probes.map((p) => p.msgId));
  }
  const latencies: number[] = [];
  let lost = 0;
  probes.forEach((probe, i) => {
    const at = records[i]?.firstAcceptedAt;
    if (at == null) lost += 1;
    else latencies.push(at - probe.publishedAt);
  });
  return { latencies, lost };
}
