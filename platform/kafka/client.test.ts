import { Writable } from 'node:stream';
import pino from 'pino';
import { logLevel } from 'kafkajs';
import { kafkaLevelOf, pinoLogCreator, pinoMethodOf } from './client';

describe('kafkajs ↔ pino levels', () => {
  it.each([
    [logLevel.ERROR, 'error'],
    [logLevel.WARN, 'warn'],
    [logLevel.INFO, 'info'],
    [logLevel.DEBUG, 'debug'],
    [logLevel.NOTHING, null],
  ])('kafkajs level %s is written with pino %s', (level, method) => {
    expect(pinoMethodOf(level)).toBe(method);
  });

  it.each([
    ['trace', logLevel.DEBUG],
    ['debug', logLevel.DEBUG],
    ['info', logLevel.INFO],
    ['warn', logLevel.WARN],
    ['error', logLevel.ERROR],
    ['fatal', logLevel.ERROR],
    ['silent', logLevel.NOTHING],
  ])('pino level %s asks kafkajs for %s', (level, expected) => {
    expect(kafkaLevelOf(level)).toBe(expected);
  });
});

describe('pinoLogCreator', () => {
  it('writes kafkajs entries as structured pino lines without kafkajs timestamp and logger name', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const write = pinoLogCreator(logger)(logLevel.DEBUG);
    write({
      namespace: 'Consumer',
      level: logLevel.WARN,
      label: 'WARN',
      log: { timestamp: 'ts', message: 'group rebalancing', logger: 'kafkajs', groupId: 'g1' },
    });
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'group rebalancing', namespace: 'Consumer', groupId: 'g1', module: 'kafkajs' }),
    ]);
    expect(lines[0]).not.toHaveProperty('timestamp');
    expect(lines[0]).not.toHaveProperty('logger');
  });
});
