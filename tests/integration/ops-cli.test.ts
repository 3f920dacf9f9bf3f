import { benchClient } from '../../bench/clients';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import { createSmsSimulator, createSmsApiToken, type SmsSimulator } from '../../simulators/sms';
import { runCli, runCliInPty, stackEnv } from '../support/cli-process';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * The operator CLI as an operator runs it: `node dist/cli/vestnik.js …` as a child process with the stack's
 * environment. `mailing watch` runs under a pseudo-terminal (util-linux `script`) and must draw its bar in
 * place while the mailing moves, then exit 0 when the mailing is finished; lag, topics and the dead letters
 * print what the broker and the stack hold.
 */
describe('operator CLI (vestnik lag | topics | mailing watch | dlq)', () => {
  const secret = 'ops-cli-sms-secret';
  const AUDIENCE = 120;
  let sms: SmsSimulator;
  let stack: TestStack;
  let env: Record<string, string>;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    // A provider limited to 40 messages a second (bulk gets 32 of them): the senders book each message's slot
    // and the delay queue hands them back a few at a time, so statuses arrive over about 4 s and the bar has
    // frames to draw. (A slow provider alone is not enough: each partition's chunk records its statuses when
    // its last answer is in, and the partitions settling side by side finish together, in one step.)
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMS_RATE_PER_S: '40' },
    });
    env = stackEnv(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
  });

  it('mailing watch draws a live progress bar in a terminal and exits 0 when the mailing is finished', async () => {
    const tag = uniqueName('watch').replace(/[^A-Za-z0-9_-]/g, '_');
    const producer = await stack.runtime.producer();
    const clients = Array.from({ length: AUDIENCE }, (_, i) => benchClient(i, tag, Date.now()));
    await producer.send(TOPICS.clients, clients.map((client) => ({ key: client.id, value: client })));
    await waitFor(async () => (await stack.runtime.redis().zcard(KEYS.clientsByTag(tag))) >= AUDIENCE, {
      timeoutMs: 60_000, intervalMs: 200, description: 'the audience in the view',
    });
    // Starts in a few seconds, so the watch is already drawing when the first message goes out.
    const created = await stack.api('POST', '/api/mailings', {
      text: 'watch {{name}}', startAt: iso(Date.now() + 3000), endAt: iso(Date.now() + 3600_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    const mailingId: string = created.body.id;

    const watch = await runCliInPty(['mailing', 'watch', mailingId, '--interval', '200', '--timeout', '120'], env);

    expect(watch.code).toBe(0);
    const out = watch.stdout;
    expect(out).toContain('\x1b[?25l'); // cli-progress hides the cursor while it draws…
    expect(out).toContain('\x1b[?25h'); // …and shows it again at the end
    // Each frame returns to column 1 and redraws the line; the counts only go up and end at the audience.
    const frames = out.split('\x1b[1G').filter((frame) => frame.startsWith(`mailing ${mailingId.slice(0, 8)} [`));
    const counts = frames.map((frame) => /\] (\d+)\/(\d+) /.exec(frame)).filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ done: Number(m[1]), total: Number(m[2]) }));
    expect(counts.length).toBeGreaterThanOrEqual(5);
    const done = counts.map((c) => c.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done.filter((n) => n > 0 && n < AUDIENCE)).size).toBeGreaterThanOrEqual(2);
    expect(counts.at(-1)).toEqual({ done: AUDIENCE, total: AUDIENCE });
    expect(out).toMatch(/\d+(\.\d)?\/s \| ETA /);
    expect(out).toContain(`mailing ${mailingId} finished: ${AUDIENCE} of ${AUDIENCE} deliveries final`);
    // What the statistics API says at the end is what the bar said.
    const stats = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
    expect(stats).toMatchObject({ status: 'finished', total: AUDIENCE, byStatus: expect.objectContaining({ sent: AUDIENCE }) });
    expect(sms.stats().duplicateAccepts).toBe(0);

    // Not a terminal (a CI log): plain lines, no escape codes; and again 0 for a finished mailing.
    const plain = await runCli(['mailing', 'watch', mailingId], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('\x1b');
    expect(plain.stdout).toContain(`mailing ${mailingId.slice(0, 8)} ${AUDIENCE}/${AUDIENCE} (100%)`);
  });

  it('lag prints a table of the stack\'s consumer groups, and --json the same rows', async () => {
    const table = await runCli(['lag'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ group +│ topic +│ partitions +│ +lag │ state +│ members │/);
    expect(table.stdout).toContain(`${stack.id}-`);
    expect(table.stdout).toContain('deliveries.bulk-pages');
    const json = await runCli(['lag', '--json'], env);
    const rows = JSON.parse(json.stdout).items as { group: string; topic: string; lag: number | null }[];
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(row.group.startsWith(`${stack.id}-`)).toBe(true);
    // The bulk senders consumed the whole mailing (its commands came as pages): their lag is 0 and nothing is left.
    await waitFor(async () => {
      const now = JSON.parse((await runCli(['lag', '--json', '--group', 'bulk'], env)).stdout).items as typeof rows;
      const bulk = now.filter((row) => row.topic === 'deliveries.bulk-pages');
      return bulk.length > 0 && bulk.every((row) => row.lag === 0);
    }, { timeoutMs: 30_000, intervalMs: 1000, description: 'deliveries.bulk-pages lag 0' });
  });

  it('topics lists the stack\'s prefixed topics', async () => {
    const result = await runCli(['topics'], env);
    expect(result.code).toBe(0);
    for (const topic of [TOPICS.clients, TOPICS.deliveriesBulk, TOPICS.deliveriesDeadLetter, TOPICS.deliveriesStatus]) {
      expect(result.stdout).toContain(stack.topic(topic));
    }
    expect(result.stdout).not.toContain('(missing)');
  });

  it('dlq list shows a poison record, show explains it, and replay replays it once', async () => {
    const tag = uniqueName('dlq');
    const [clientId] = await createClients(stack, 1, { tag, operatorCode: '918' });
    const mailingId = uniqueName('missing-mailing');
    const producer = await stack.runtime.producer();
    await producer.send(TOPICS.mailingStarted, [{
      key: mailingId, value: { eventId: `${mailingId}@1`, occurredAt: Date.now(), mailingId, scheduledFor: Date.now() },
    }]);
    const letter = await waitFor(async () => {
      const listed = await runCli(['dlq', 'list', '--topic', TOPICS.mailingStarted, '--limit', '100', '--json'], env);
      return (JSON.parse(listed.stdout).items as { id: string; value: { mailingId?: string } | null }[])
        .find((item) => item.value?.mailingId === mailingId) ?? null;
    }, { timeoutMs: 60_000, intervalMs: 1000, description: 'the dead letter listed' });
    expect(letter).toMatchObject({ originalTopic: TOPICS.mailingStarted, reasonCode: 'NOT_FOUND', replayed: false });

    const table = await runCli(['dlq', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`│ ${letter.id} +│ [^│]+│ ${TOPICS.mailingStarted.replace('.', '\\.')} +│ NOT_FOUND +│`));
    const shown = await runCli(['dlq', 'show', letter.id], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(mailingId);
    expect(shown.stdout).toContain('NOT_FOUND');

    // The fix, then the replay: the mailing exists now (starting in an hour, so only the replay starts it).
    expect((await stack.api('POST', '/api/mailings', {
      id: mailingId, text: 'replayed {{name}}', startAt: iso(Date.now() + 3600_000), endAt: iso(Date.now() + 7200_000),
      filter: { tags: [tag], operatorCodes: [] },
    })).status).toBe(201);
    const first = await runCli(['dlq', 'replay', letter.id], env);
    expect(first).toMatchObject({ code: 0, stdout: `${letter.id}: replayed\n` });
    // The provider is slow here (40 ms): a message is recorded when it arrives, accepted when answered.
    const message = await waitFor(() => {
      const record = sms.message(smsIdOf(mailingId, clientId!));
      return record && record.accepted > 0 ? record : null;
    }, { timeoutMs: 60_000, description: 'the replayed mailing\'s SMS accepted' });
    expect(message.accepted).toBe(1);
    const second = await runCli(['dlq', 'replay', letter.id, '--json'], env);
    expect(JSON.parse(second.stdout)).toEqual({ id: letter.id, alreadyReplayed: true });
    // The console's replay and the CLI's share the marker: the API agrees it was replayed.
    expect((await stack.api('POST', `/api/dead-letters/${letter.id}/replay`)).body).toEqual({ id: letter.id, alreadyReplayed: true });
    expect(sms.message(smsIdOf(mailingId, clientId!))?.accepted).toBe(1);
  });

  it('exits 1 for an unknown mailing or dead letter and 2 for a usage error', async () => {
    const missing = await runCli(['mailing', 'watch', 'no-such-mailing'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no mailing no-such-mailing');
    expect((await runCli(['dlq', 'show', '0-999999999'], env)).code).toBe(1);
    expect((await runCli(['dlq', 'replay'], env)).code).toBe(2);
    expect((await runCli(['lag', '--no-such-option'], env)).code).toBe(2);
  });
});
