import type { VestnikError } from '../../platform/errors';
import { commandOf, deliveryOf } from '../../domain/deliveries/build';
import { commandPagesOf } from '../../domain/deliveries/command-page';
import type { DeliveryCommand, DeliveryCommandPage } from '../../schemas/types';
import { readCommands, type CommandRecord } from './read-commands';

const command = (clientId: string, timezone = 'UTC'): DeliveryCommand => commandOf(
  deliveryOf({ sourceType: 'mailing', sourceId: 'm-1', clientId, channel: 'sms', priority: 'bulk' }),
  { address: '+79001234567', content: { text: 'Hi', subject: null, html: null, title: null, headers: {} }, timezone },
  1_000,
);
const record = (value: DeliveryCommand | DeliveryCommandPage | null, offset = '0'): CommandRecord =>
  ({ topic: 't', partition: 0, offset, key: null, timestamp: 0, value, headers: { traceparent: `tp-${offset}` } });

function read(records: CommandRecord[], isPageTopic: boolean) {
  const deadLetters: { offset: string; error: VestnikError }[] = [];
  const result = readCommands(records, isPageTopic, (r, error) => deadLetters.push({ offset: r.offset, error }));
  return { result, deadLetters };
}

describe('readCommands: the commands a sender batch stands for', () => {
  it('reads a command record as its command, and dead-letters a bad one alone', () => {
    const { result, deadLetters } = read([record(command('c-1'), '1'), record(command('c-2', 'Mars/Base'), '2'), record(null, '3')], false);
    expect(result.map((r) => r.commands.map((c) => c.clientId))).toEqual([['c-1']]);
    expect(result[0]!.headers).toEqual({ traceparent: 'tp-1' });
    expect(deadLetters.map((d) => [d.offset, d.error.code])).toEqual([['2', 'VALIDATION_FAILED']]);
    expect(deadLetters[0]!.error.message).toMatch(/timezone: unknown IANA time zone "Mars\/Base"/);
  });

  it('reads a page record as every command of the page, with the page headers', () => {
    const commands = [command('c-1'), command('c-2')];
    const [page] = commandPagesOf(commands);
    const { result, deadLetters } = read([record(page!, '7')], true);
    expect(result).toEqual([{ headers: { traceparent: 'tp-7' }, commands }]);
    expect(deadLetters).toEqual([]);
  });

  it('sends the good commands of a page and dead-letters the page naming each bad one', () => {
    const [page] = commandPagesOf([command('c-1'), command('c-2', 'Mars/Base'), command('c-3')]);
    const { result, deadLetters } = read([record(page!, '4')], true);
    expect(result[0]!.commands.map((c) => c.clientId)).toEqual(['c-1', 'c-3']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.error.message).toContain(`command page of mailing m-1 is invalid: ${command('c-2').deliveryId}: timezone`);
  });

  it('dead-letters a page whose entry names a content it lacks, sending none of it', () => {
    const [page] = commandPagesOf([command('c-1'), command('c-2')]);
    const broken = { ...page!, entries: page!.entries.map((entry) => ({ ...entry, content: 5 })) };
    const { result, deadLetters } = read([record(broken, '9'), record(page!, '10')], true);
    expect(result.map((r) => r.commands.length)).toEqual([2]);
    expect(deadLetters.map((d) => [d.offset, d.error.code])).toEqual([['9', 'VALIDATION_FAILED']]);
  });
});
