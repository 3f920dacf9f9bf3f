import type { Admin } from 'kafkajs';
import { deliveryIdOf } from '../../platform/ids';
import { TOPICS } from '../../platform/topics';
import { createSmtpSink, type ReceivedEmail, type SmtpSink } from '../../simulators/smtp';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';
import { createTestClient } from '../support/clients';

/**
 * events.episode-released end to end: clients subscribe through the API, an episode event is posted,
 * and the SMTP sink shows exactly who got the email. Topics are shared with other runs (whose bulk emails
 * this stack's senders also deliver to this sink), so every check is scoped to this run's unique series,
 * episode title, event ids and addresses.
 */
describe('new-episode emails end to end', () => {
  const runTag = uniqueName('ep');
  const series = uniqueName('series');
  const otherSeries = uniqueName('other-series');
  const episodeTitle = `Secrets & Lies ${runTag}`;
  const url = `https://films.test/${series}/2/5?from=email&run=${runTag}`;
  let smtp: SmtpSink;
  let stack: TestStack;
  let admin: Admin;
  const address = (name: string) => `${name}-${runTag}@example.com`;
  const people = {
    ann: { name: 'Ann', email: address('ann'), locale: 'en', subscriptions: [series] },
    ivan: { name: 'Иван', email: address('ivan'), locale: 'ru', subscriptions: [otherSeries, series] },
    cleo: { name: 'Cleo & Co', email: address('cleo'), locale: 'en-GB', subscriptions: [series] },
    optedOut: { name: 'Olga', email: address('olga'), subscriptions: [series], preferences: { promo: true, channels: { email: false } } },
    noEmail: { name: 'Nina', subscriptions: [series] },
    otherOnly: { name: 'Oscar', email: address('oscar'), subscriptions: [otherSeries] },
    unsubscribed: { name: 'Uma', email: address('uma'), subscriptions: [series] },
    deleted: { name: 'Dan', email: address('dan'), subscriptions: [series] },
    none: { name: 'Zed', email: address('zed') },
  };
  const ids = {} as Record<keyof typeof people, string>;
  const receivers = ['ann', 'ivan', 'cleo'] as const;
  const episode = {
    eventId: uniqueName('evt'), occurredAt: Date.now(), seriesId: series, seriesTitle: 'Dark', episodeId: uniqueName('episode'),
    episodeTitle, seasonNumber: 2, episodeNumber: 5, url,
  };

  beforeAll(async () => {
    smtp = createSmtpSink();
    await smtp.start();
    stack = await startStack({ roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'], env: { SMTP_URL: smtp.url } });
    admin = stack.runtime.kafka().admin();
    await admin.connect();
    for (const [key, fields] of Object.entries(people)) ids[key as keyof typeof people] = await createClient(fields);
    // Subscribed, then left: the series index must forget them (zrem), whatever the order of writes.
    expect((await stack.api('PATCH', `/api/clients/${ids.unsubscribed}`, { subscriptions: [otherSeries] })).status).toBe(200);
    expect((await stack.api('DELETE', `/api/clients/${ids.deleted}`)).status).toBe(204);
  }, 240_000);

  afterAll(async () => {
    await admin?.disconnect();
    await stack?.stop();
    await smtp?.stop();
  });

  const createClient = (fields: Record<string, unknown>) => createTestClient(stack, { timezone: 'Europe/Moscow', ...fields });

  /** Every email of this run's episode (by its unique title), whoever it went to. */
  const episodeEmails = (title = episodeTitle): ReceivedEmail[] =>
    smtp.messages().filter((m) => m.subject.includes(title) || m.text.includes(title));

  const emailStats = async (eventId: string) => {
    const body = (await stack.api('GET', `/api/stats/channels?sourceType=episode&sourceId=${encodeURIComponent(eventId)}`)).body;
    return (body.items as { channel: string; byStatus: Record<string, number> }[]);
  };

  /** Resolves once `groupId` has consumed `topic` up to its current end, on every partition it ever consumed. */
  async function consumedToEnd(groupId: string, logicalTopic: string, description: string): Promise<void> {
    const topic = stack.topic(logicalTopic);
    // Every partition with records up to now (a group reading a topic from its beginning commits only where it read).
    const marks = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, mark: BigInt(p.high) })).filter((p) => p.mark > 0n);
    await waitFor(async () => {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = new Map((entry?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      return marks.every(({ partition, mark }) => (committed.get(partition) ?? -1n) >= mark);
    }, { timeoutMs: 60_000, intervalMs: 250, description });
  }

  it('validates the event at the API: 422 naming the field, 404 for an unknown type', async () => {
    const missing = await stack.api('POST', '/api/events/episode-released', { seriesId: series, episodeId: 'e', episodeTitle: 't', url });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body.error)).toContain('seriesTitle');
    const wrongType = await stack.api('POST', '/api/events/episode-released', { ...episode, eventId: undefined, seasonNumber: 'two' });
    expect(wrongType.status).toBe(422);
    expect(JSON.stringify(wrongType.body.error)).toContain('seasonNumber');
    expect((await stack.api('POST', '/api/events/episode-premiered', episode)).status).toBe(404);
  });

  it('emails every subscriber with an address once, in their language, and no one else', async () => {
    const accepted = await stack.api('POST', '/api/events/episode-released', episode);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ id: episode.eventId });

    await waitFor(() => receivers.every((who) => smtp.messagesTo(people[who].email).length > 0), {
      timeoutMs: 60_000, description: 'the episode email at every subscriber',
    });
    // Once the fan-out and the bulk senders have read everything, no further episode email can arrive.
    await consumedToEnd(stack.runtime.groupId('episode-fanout'), TOPICS.episodeReleased, 'the fan-out read the event');
    await consumedToEnd(stack.runtime.groupId('senders-bulk'), TOPICS.deliveriesBulkPages, 'the bulk senders read the commands');

    // Exactly one each, to exactly the subscribers with an address.
    expect(episodeEmails().flatMap((m) => m.envelopeTo).sort()).toEqual(receivers.map((who) => people[who].email).sort());
    for (const who of ['optedOut', 'otherOnly', 'unsubscribed', 'deleted', 'none'] as const) {
      expect(smtp.messagesTo(people[who].email as string)).toEqual([]);
    }
    for (const who of receivers) {
      const [mail] = smtp.messagesTo(people[who].email);
      // The delivery id is the Message-ID's local part (the domain is MAIL_FROM's).
      expect(mail!.messageId).toMatch(new RegExp(`^<${deliveryIdOf('episode', episode.eventId, ids[who], 'email')}@`));
      expect(mail!.text).toContain(url);
      expect(mail!.text).toContain(people[who].name);
      expect(mail!.html).toContain(`href="${url.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;')}"`);
    }
    const ann = smtp.messagesTo(people.ann.email)[0]!;
    expect(ann.subject).toBe(`New episode of Dark: ${episodeTitle}`);
    expect(ann.text).toContain(`Hello Ann,\n\na new episode of Dark is out: season 2, episode 5, "${episodeTitle}".`);
    const ivan = smtp.messagesTo(people.ivan.email)[0]!;
    expect(ivan.subject).toBe(`Новая серия «Dark»: ${episodeTitle}`);
    expect(ivan.text).toContain(`Здравствуйте, Иван!\n\nВышла новая серия «Dark»: сезон 2, серия 5, «${episodeTitle}».`);
    // en-GB falls back to en; the name is escaped in the HTML part and as written in the text part.
    const cleo = smtp.messagesTo(people.cleo.email)[0]!;
    expect(cleo.text).toContain('Hello Cleo & Co,');
    expect(cleo.html).toContain('Hello Cleo &amp; Co,');
  });

  // A new stack's analytics reads deliveries.status from the beginning (shared with every other run), so
  // on a busy broker the counts can take a while: a generous bound, checked once the emails are in.
  it('counts them in the statistics by channel: email 3 sent, 2 suppressed, nothing else', async () => {
    const [row] = await waitFor(async () => {
      const rows = await emailStats(episode.eventId);
      // A throw is "not yet", and the last one names what the statistics said when time ran out.
      expect(rows).toEqual([{ channel: 'email', byStatus: expect.objectContaining({ sent: 3, suppressed: 2 }) }]);
      return rows;
    }, { timeoutMs: 240_000, intervalMs: 1_000, description: 'email: 3 sent, 2 suppressed in the statistics' });
    expect(Object.entries(row!.byStatus).filter(([status, n]) => n > 0 && !['sent', 'suppressed'].includes(status))).toEqual([]);
  }, 300_000);

  it('a replay of the same event (same eventId) sends nothing twice and leaves the statistics as they were', async () => {
    const replay = await stack.api('POST', '/api/events/episode-released', episode);
    expect(replay.status).toBe(202);
    await consumedToEnd(stack.runtime.groupId('episode-fanout'), TOPICS.episodeReleased, 'the fan-out read the replayed event');
    await consumedToEnd(stack.runtime.groupId('senders-bulk'), TOPICS.deliveriesBulkPages, 'the bulk senders read the replayed commands');
    expect(episodeEmails()).toHaveLength(3);
    for (const who of receivers) expect(smtp.messagesTo(people[who].email)).toHaveLength(1);
    // The fan-out's and the bulk senders' statuses travel as pages; any other on deliveries.status.
    for (const topic of [TOPICS.deliveriesStatusPages, TOPICS.deliveriesStatus]) {
      await consumedToEnd(stack.runtime.groupId('analytics'), topic, 'analytics read the replayed statuses');
    }
    const [row] = await emailStats(episode.eventId);
    expect(Object.fromEntries(Object.entries(row!.byStatus).filter(([, n]) => n > 0))).toEqual({ sent: 3, suppressed: 2 });
  });

  it('an event whose link is not http(s) passes the API (valid Avro) but the fan-out refuses it: no email', async () => {
    const title = `Bad link ${runTag}`;
    const bad = { ...episode, eventId: uniqueName('evt-bad'), episodeTitle: title, url: 'javascript:alert(1)' };
    expect((await stack.api('POST', '/api/events/episode-released', bad)).status).toBe(202);
    await consumedToEnd(stack.runtime.groupId('episode-fanout'), TOPICS.episodeReleased, 'the fan-out read the bad event');
    await consumedToEnd(stack.runtime.groupId('senders-bulk'), TOPICS.deliveriesBulkPages, 'the bulk senders read whatever followed');
    expect(episodeEmails(title)).toEqual([]);
  });
});
