import fc from 'fast-check';
import type { Channel, DeliveryCommand, DeliveryCommandPage, MessageContent } from '../../schemas/types';
import { commandOf, deliveryOf } from './build';
import { createCodec } from '../../platform/codec';
import { commandPagesOf, commandsOfPage, fanoutCommandRequests, MAX_PAGE_BYTES_PER_REQUEST, pageBytesAtMost } from './command-page';

const content = (text: string, extra: Partial<MessageContent> = {}): MessageContent =>
  ({ text, subject: null, html: null, title: null, headers: {}, ...extra });

const command = (clientId: string, options: { channel?: Channel; text?: string; createdAt?: number; sourceId?: string } = {}): DeliveryCommand =>
  commandOf(
    deliveryOf({ sourceType: 'mailing', sourceId: options.sourceId ?? 'm-1', clientId, channel: options.channel ?? 'sms', priority: 'bulk' }),
    { address: `+7900${clientId}`, content: content(options.text ?? `Hello ${clientId}`), timezone: 'Europe/Moscow' },
    options.createdAt ?? 1_000,
  );

describe('command pages: a fan-out page\'s bulk commands in one record', () => {
  it('puts commands that share their source, channel and times in one page, and reads them back as they were', () => {
    const commands = [
      command('c-1'),
      { ...command('c-2'), deviceTokens: ['t-1'], fallback: { channel: 'email' as const, address: 'c2@example.org' } },
      { ...command('c-3'), timezone: 'UTC' },
    ];
    const pages = commandPagesOf(commands);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ sourceType: 'mailing', sourceId: 'm-1', channel: 'sms', priority: 'bulk', createdAt: 1_000 });
    expect(pages[0]!.contents.map((c) => c.text)).toEqual(['Hello c-1', 'Hello c-2', 'Hello c-3']);
    expect(pages.flatMap(commandsOfPage)).toEqual(commands);
  });

  it('carries a content shared by the page once', () => {
    const shared = content('Sale today', { subject: 'Sale', headers: { 'List-Unsubscribe': '<https://u/1>' } });
    const commands = ['c-1', 'c-2', 'c-3'].map((id) => ({ ...command(id), content: { ...shared, headers: { ...shared.headers } } }));
    const [page] = commandPagesOf(commands);
    expect(page!.contents).toEqual([shared]);
    expect(page!.entries.map((entry) => entry.content)).toEqual([0, 0, 0]);
    expect(commandsOfPage(page!)).toEqual(commands);
  });

  it('keeps contents that differ only in a header apart', () => {
    const commands = [
      { ...command('c-1'), content: content('Sale', { headers: { 'List-Unsubscribe': '<https://u/1>' } }) },
      { ...command('c-2'), content: content('Sale', { headers: { 'List-Unsubscribe': '<https://u/2>' } }) },
    ];
    const [page] = commandPagesOf(commands);
    expect(page!.contents).toHaveLength(2);
    expect(commandsOfPage(page!)).toEqual(commands);
  });

  it('starts a new page for other shared fields, every `entries` commands, and before the text outgrows `chars`', () => {
    const commands = [command('c-1'), command('c-2', { channel: 'email' }), command('c-3'), command('c-4', { createdAt: 2_000 }), command('c-5')];
    const pages = commandPagesOf(commands, { entries: 2, chars: 1_000_000 });
    expect(pages.map((page) => [page.channel, page.createdAt, page.entries.map((entry) => entry.clientId)])).toEqual([
      ['sms', 1_000, ['c-1', 'c-3']],
      ['email', 1_000, ['c-2']],
      ['sms', 2_000, ['c-4']],
      ['sms', 1_000, ['c-5']],
    ]);
    const long = ['c-1', 'c-2', 'c-3'].map((id) => command(id, { text: `${id} ${'x'.repeat(400)}` }));
    expect(commandPagesOf(long, { entries: 1000, chars: 1_000 }).map((page) => page.entries.length)).toEqual([2, 1]);
    // A command larger than the limit still goes, alone in its page.
    expect(commandPagesOf(long, { entries: 1000, chars: 100 }).map((page) => page.entries.length)).toEqual([1, 1, 1]);
  });

  it('refuses a command of a later attempt: only new commands go in a page', () => {
    expect(() => commandPagesOf([{ ...command('c-1'), attempt: 1 }])).toThrow(/only new commands go in a page/);
  });

  it('refuses to read a page whose entry names a content it lacks', () => {
    const [page] = commandPagesOf([command('c-1')]);
    expect(() => commandsOfPage({ ...page!, entries: [{ ...page!.entries[0]!, content: 3 }] })).toThrow(/names content 3 of 1/);
  });

  it('round-trips any new commands, whatever their mix', () => {
    const arbitrary = fc.record({
      clientId: fc.string({ minLength: 1, maxLength: 8 }),
      channel: fc.constantFrom<Channel>('sms', 'email', 'push'),
      sourceId: fc.constantFrom('m-1', 'm-2'),
      text: fc.constantFrom('same', 'other', 'Привет'),
      createdAt: fc.constantFrom(1_000, 2_000),
    }).map(({ clientId, channel, sourceId, text, createdAt }) => command(clientId, { channel, sourceId, text, createdAt }));
    fc.assert(fc.property(fc.array(arbitrary, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 80 }), (commands, entries, chars) => {
      const pages = commandPagesOf(commands, { entries, chars });
      expect(pages.every((page) => page.entries.length >= 1 && page.entries.length <= entries)).toBe(true);
      expect(pages.flatMap(commandsOfPage).sort(byContent)).toEqual([...commands].sort(byContent));
    }));
  });
});

describe('a fan-out page\'s produce requests', () => {
  const pagesOf = (batch: { records: readonly { value: unknown }[] }) => batch.records.map((r) => r.value as DeliveryCommandPage);

  it('sends nothing for no commands, express commands one record each, and small bulk pages in one request', () => {
    expect(fanoutCommandRequests([], 'bulk')).toEqual([]);
    const express = fanoutCommandRequests([command('c-1'), command('c-2')].map((c) => ({ ...c, priority: 'express' as const })), 'express');
    expect(express.map((b) => [b.topic, b.records.length])).toEqual([['deliveries.express', 2]]);
    const bulk = fanoutCommandRequests(Array.from({ length: 1000 }, (_, i) => command(`c-${i}`)), 'bulk');
    expect(bulk.map((b) => [b.topic, b.records.length])).toEqual([['deliveries.bulk-pages', 1]]);
  });

  it('spreads large contents over requests that each stay under Kafka\'s batch limit, whatever partition their pages land on', () => {
    // A thousand personal emails of 2,000 Cyrillic characters each: about 4 MB of UTF-8.
    const letter = 'Здравствуйте! '.repeat(143);
    const commands = Array.from({ length: 1000 }, (_, i) => command(`c-${i}`, { text: `${letter} №${i}` }));
    const requests = fanoutCommandRequests(commands, 'bulk');
    expect(requests.length).toBeGreaterThan(4);
    for (const request of requests) {
      expect(pagesOf(request).reduce((sum, page) => sum + pageBytesAtMost(page), 0)).toBeLessThanOrEqual(MAX_PAGE_BYTES_PER_REQUEST);
    }
    expect(requests.flatMap(pagesOf).flatMap(commandsOfPage)).toEqual(commands);
  });

  it('never under-counts a page\'s encoded size', async () => {
    const codec = createCodec();
    const texts = ['Hi', 'Здравствуйте, Анна', '😀 emoji '.repeat(50), 'x'.repeat(3000)];
    for (const text of texts) {
      const commands = Array.from({ length: 50 }, (_, i) => ({
        ...command(`client-${i}`, { text: `${text} ${i}` }), deviceTokens: [`token-${i}`], fallback: { channel: 'email' as const, address: `c${i}@example.org` },
      }));
      for (const page of commandPagesOf(commands)) {
        expect((await codec.encode('deliveries.command-page', page)).length).toBeLessThanOrEqual(pageBytesAtMost(page));
      }
    }
  });
});

/** An order over whole commands, so that two lists of the same commands compare equal whatever their order. */
function byContent(a: DeliveryCommand, b: DeliveryCommand): number {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
