import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { isSensitiveName, redactDeep } from './log-redaction';

/** The real logger writing into memory: what a log shipper would receive. */
function capture(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('the logger censors secrets and personal data at any depth', () => {
  it('blanks a token four objects deep, and an email and a phone beside it', () => {
    const { logger, lines, parsed } = capture();
    logger.info({ a: { b: { c: { d: { token: 'tok-4-deep', email: 'anna@example.com', phone: 79001234567, kept: 'ok' } } } } }, 'nested');
    const line = parsed()[0] as { a: { b: { c: { d: Record<string, unknown> } } } };
    expect(line.a.b.c.d).toEqual({ token: '[redacted]', email: '[redacted]', phone: '[redacted]', kept: 'ok' });
    expect(lines.join('')).not.toMatch(/tok-4-deep|anna@example\.com|79001234567/);
  });

  it.each([
    ['authorization', { headers: { Authorization: 'Bearer abc.def.ghi' } }, 'abc.def.ghi'],
    ['cookie', { req: { headers: { cookie: 'sid=s3ss10n' } } }, 's3ss10n'],
    ['api_key in snake case', { config: { api_key: 'k-123-secret' } }, 'k-123-secret'],
    ['a password inside an array', { users: [{ password: 'hunter2hunter2' }] }, 'hunter2hunter2'],
    ['a client secret', { oidc: { clientSecret: 'cs-987' } }, 'cs-987'],
    ['a refresh token', { session: { refreshToken: 'rt-555' } }, 'rt-555'],
    ['device tokens', { client: { deviceTokens: ['fcm-token-1'] } }, 'fcm-token-1'],
    ['an address', { client: { address: '1 Main Street' } }, '1 Main Street'],
    ['a recipient', { mail: { to: 'someone-else' } }, 'someone-else'],
    ['a message text', { command: { content: { text: 'your code is 4242' } } }, 'your code is 4242'],
    ['a Redis command argument', { err: { command: { name: 'set', args: ['client:1', '{"phone":"7900"}'] } } }, '7900'],
    ['an email inside free text', { reason: '550 <anna@example.com>: recipient rejected' }, 'anna@example.com'],
  ])('%s', (_case, fields, secret) => {
    const { logger, lines } = capture();
    logger.warn(fields, 'line');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });

  it('serializes an error and censors its fields and the emails in its message and stack', () => {
    const { logger, parsed } = capture();
    const error = Object.assign(new Error('mailbox anna@example.com is full'), { code: 'EENVELOPE', rejected: ['anna@example.com'], token: 't-1' });
    logger.error({ err: error, deliveryId: 'd-1' }, 'email not sent');
    const line = parsed()[0] as { err: Record<string, unknown>; deliveryId: string };
    expect(line.deliveryId).toBe('d-1');
    expect(line.err).toMatchObject({ type: 'Error', message: 'mailbox [redacted] is full', code: 'EENVELOPE', token: '[redacted]' });
    expect(JSON.stringify(line)).not.toContain('anna@example.com');
    expect(String(line.err.stack)).toContain('logger.test.ts');
  });

  it('censors the message of a line, also when an error is logged alone', () => {
    const { logger, lines } = capture();
    logger.info('sent to %s', 'anna@example.com');
    logger.error(new Error('no such user bob@example.org'));
    expect(lines.join('')).not.toMatch(/anna@example\.com|bob@example\.org/);
    expect(lines).toHaveLength(2);
  });

  it("censors a child logger's bindings", () => {
    const { logger, lines } = capture();
    const child = logger.child({ module: 'x', apiKey: 'child-key-1' });
    child.info('hello');
    child.child({ session: { token: 'grandchild-token' } }).info('again');
    expect(lines.join('')).not.toMatch(/child-key-1|grandchild-token/);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ module: 'x', msg: 'hello' });
    expect(JSON.parse(lines[1] as string)).toMatchObject({ module: 'x', session: { token: '[redacted]' }, msg: 'again' });
  });

  it('keeps the ordinary fields, counts and error codes as they are', () => {
    const { logger, parsed } = capture();
    logger.info({ topic: 't', partition: 2, offset: '17', code: 'REDIS_UNAVAILABLE', subject: 'events-value', url: 'http://127.0.0.1:8080', ids: ['a', 'b'] }, 'ok');
    expect(parsed()[0]).toMatchObject({ topic: 't', partition: 2, offset: '17', code: 'REDIS_UNAVAILABLE', subject: 'events-value', url: 'http://127.0.0.1:8080', ids: ['a', 'b'] });
  });
});

describe('redactDeep bounds', () => {
  it('cuts cycles and objects nested past the depth bound', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    let deep: Record<string, unknown> = { token: 'bottom' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const out = redactDeep({ loop, deep }, { maxDepth: 8 });
    expect(out.loop).toEqual({ name: 'loop', self: '[circular]' });
    expect(JSON.stringify(out)).toContain('[truncated]');
    expect(JSON.stringify(out)).not.toContain('bottom');
  });

  it('a value reached twice without a cycle is shown twice', () => {
    const shared = { id: 'x' };
    expect(redactDeep({ a: shared, b: shared })).toEqual({ a: { id: 'x' }, b: { id: 'x' } });
  });

  it('stops walking after the node budget', () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ i }));
    const out = redactDeep({ big }, { maxNodes: 100 });
    expect(JSON.stringify(out).length).toBeLessThan(5000);
    expect(JSON.stringify(out)).toContain('[truncated]');
  });

  it('does not change the object it was given', () => {
    const fields = { user: { email: 'anna@example.com' } };
    redactDeep(fields);
    expect(fields.user.email).toBe('anna@example.com');
  });

  it.each([
    ['token', true], ['X-Api-Key', true], ['set-cookie', true], ['userEmail', true], ['remoteAddress', true],
    ['to', true], ['code', false], ['subject', false], ['topic', false], ['tokensRemoved', true], ['total', false],
  ])('%s sensitive: %s', (name, sensitive) => {
    expect(isSensitiveName(name)).toBe(sensitive);
  });
});
