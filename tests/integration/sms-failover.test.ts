/**
 * Two SMS APIs in an order of preference (SMS_API_URL, then SMS_SECONDARY_API_URL): while the first takes
 * messages it sends them all; while it is down (503 to every send, then its circuit open) the second sends
 * every message, each once, and each status names the provider that sent it.
 */
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { checkLedger, loadAudience, removeAudience, startMailing, stopStackSafely, waitForAllSent, type Audience } from '../support/fault-scenario';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';

jest.setTimeout(300_000);

const secret = 'sms-failover-secret';

describe('a primary and a secondary SMS provider', () => {
  let primary: SmsSimulator;
  let secondary: SmsSimulator;
  let stack: TestStack;
  const audiences: Audience[] = [];

  beforeAll(async () => {
    primary = createSmsSimulator({ jwtSecret: secret });
    secondary = createSmsSimulator({ jwtSecret: secret });
    await Promise.all([primary.start(), secondary.start()]);
    const token = createSmsApiToken(secret);
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: {
        SMS_API_URL: primary.url, SMS_API_TOKEN: token, SMS_SECONDARY_API_URL: secondary.url, SMS_SECONDARY_API_TOKEN: token,
        RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000',
      },
    });
  });

  afterAll(async () => {
    for (const audience of audiences) await removeAudience(stack, audience);
    await stopStackSafely(stack);
    await Promise.all([primary?.stop(), secondary?.stop()]);
  });

  /** The provider named on the `sent` change of one client's delivery of the mailing. */
  const sentVia = async (clientId: string, mailingId: string) => {
    const log = await stack.api('GET', `/api/clients/${clientId}/deliveries?limit=10`);
    const delivery = (log.body.items as { sourceId: string; history: { status: string; provider: string | null }[] }[]).find((item) => item.sourceId === mailingId);
    return delivery?.history.find((change) => change.status === 'sent')?.provider;
  };

  it('sends through the primary while it takes messages', async () => {
    const audience = await loadAudience(stack, { tag: uniqueName('preferred'), operatorCode: '941', otherOperatorCode: '942', count: 20, others: 0 });
    audiences.push(audience);
    const mailingId = await startMailing(stack, audience);
    await waitForAllSent(stack, mailingId, 20, 60_000);
    expect(checkLedger(primary, mailingId, audience)).toEqual({ missing: 0, toOthers: 0, resentSameId: 0 });
    expect(secondary.stats().outcomes.accepted).toBe(0);
    expect(await sentVia(audience.matching[0]!, mailingId)).toBe('sms-api');
  });

  it('with the primary down, the secondary sends every message once, and the statuses name it', async () => {
    await primary.setFaults({ outage: { mode: 'unavailable', forMs: 10 * 60_000 } });
    const audience = await loadAudience(stack, { tag: uniqueName('failover'), operatorCode: '943', otherOperatorCode: '944', count: 300, others: 0 });
    audiences.push(audience);
    const mailingId = await startMailing(stack, audience);
    const stats = await waitForAllSent(stack, mailingId, 300, 120_000);
    expect(stats.byStatus).toMatchObject({ sent: 300, failed: 0 });
    expect(checkLedger(secondary, mailingId, audience)).toEqual({ missing: 0, toOthers: 0, resentSameId: 0 });
    expect(secondary.stats().duplicateAccepts).toBe(0);
    expect(checkLedger(primary, mailingId, audience).missing).toBe(300); // the primary accepted none of them
    expect(await sentVia(audience.matching[0]!, mailingId)).toBe('sms-api-secondary');
    expect(await sentVia(audience.matching[299]!, mailingId)).toBe('sms-api-secondary');
  });
});
