import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { TOPICS } from '../../platform/topics';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * Dead letters on the real stack: a mailing-started event for a mailing that does not exist is dead-lettered
 * with its reason and listed by the API with its payload decoded; once the mailing exists, replaying the
 * dead letter fans it out (one SMS), and replaying it again, alone or with its topic, changes nothing.
 */
describe('dead letters: list and replay', () => {
  const secret = 'dlt-sms-secret';
  let sms: SmsSimulator;
  let stack: TestStack;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics'],
      env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret) },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
  });

  it('lists a poison record with its reason, replays it once after the fix, and a second replay is a no-op', async () => {
    const tag = uniqueName('dlt');
    const [clientId] = await createClients(stack, 1, { tag, operatorCode: '919' });
    const mailingId = uniqueName('missing-mailing');
    const producer = await stack.runtime.producer();
    await producer.send(TOPICS.mailingStarted, [{
      key: mailingId, value: { eventId: `${mailingId}@1`, occurredAt: Date.now(), mailingId, scheduledFor: Date.now() },
    }]);

    const letter = await waitFor(async () => {
      const page = (await stack.api('GET', `/api/dead-letters?topic=${TOPICS.mailingStarted}&limit=100`)).body;
      return page?.items?.find((item: { value: { mailingId?: string } | null }) => item.value?.mailingId === mailingId) ?? null;
    }, { timeoutMs: 60_000, intervalMs: 1000, description: 'the dead letter listed' });
    expect(letter).toMatchObject({ originalTopic: TOPICS.mailingStarted, reasonCode: 'NOT_FOUND', replayed: false });
    expect(letter.reason).toContain(mailingId);

    // The fix: the mailing now exists (starting later, so only the replay can start it now).
    const created = await stack.api('POST', '/api/mailings', {
      id: mailingId, text: 'replayed {{name}}', startAt: iso(Date.now() + 3600_000), endAt: iso(Date.now() + 7200_000),
      filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);

    const first = await stack.api('POST', `/api/dead-letters/${letter.id}/replay`);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id: letter.id, alreadyReplayed: false });
    const message = await waitFor(() => sms.message(smsIdOf(mailingId, clientId!)), { timeoutMs: 60_000, description: 'the replayed mailing\'s SMS' });
    expect(message.accepted).toBe(1);

    const second = await stack.api('POST', `/api/dead-letters/${letter.id}/replay`);
    expect(second.body).toEqual({ id: letter.id, alreadyReplayed: true });
    const all = await stack.api('POST', `/api/dead-letters/replay?topic=${TOPICS.mailingStarted}`);
    expect(all.status).toBe(200);
    expect(all.body.items).toContainEqual({ id: letter.id, alreadyReplayed: true });
    const listed = (await stack.api('GET', `/api/dead-letters?topic=${TOPICS.mailingStarted}&limit=100`)).body.items
      .find((item: { id: string }) => item.id === letter.id);
    expect(listed.replayed).toBe(true);
    expect(sms.message(smsIdOf(mailingId, clientId!))?.accepted).toBe(1);
    expect(sms.stats().duplicateAccepts).toBe(0);
  });

  it('answers 404 for an unknown dead letter', async () => {
    expect((await stack.api('POST', '/api/dead-letters/0-999999999999/replay')).status).toBe(404);
    expect((await stack.api('POST', '/api/dead-letters/nonsense/replay')).status).toBe(404);
  });
});
