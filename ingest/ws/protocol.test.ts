import { encodeFrame, HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX, notificationFrame, parseClientMessage } from './protocol';

describe('parseClientMessage', () => {
  it.each([
    ['{"type":"read","id":"d-1"}', { type: 'read', id: 'd-1' }],
    ['{"type":"history"}', { type: 'history', limit: HISTORY_LIMIT_DEFAULT }],
    ['{"type":"history","limit":5}', { type: 'history', limit: 5 }],
    [`{"type":"history","limit":${HISTORY_LIMIT_MAX}}`, { type: 'history', limit: HISTORY_LIMIT_MAX }],
  ])('accepts %s', (raw, message) => {
    expect(parseClientMessage(raw)).toEqual({ ok: true, message });
  });

  it.each([
    ['not JSON', 'read d-1', 'not JSON'],
    ['an array', '[]', 'expected a JSON object'],
    ['null', 'null', 'expected a JSON object'],
    ['an unknown type', '{"type":"delete","id":"x"}', 'unknown message type'],
    ['no type', '{"id":"x"}', 'unknown message type'],
    ['read without id', '{"type":"read"}', 'read needs a message id'],
    ['read with an empty id', '{"type":"read","id":""}', 'read needs a message id'],
    ['read with a numeric id', '{"type":"read","id":7}', 'read needs a message id'],
    ['read with a huge id', JSON.stringify({ type: 'read', id: 'x'.repeat(201) }), 'read needs a message id'],
    ['history limit 0', '{"type":"history","limit":0}', `history limit must be an integer 1..${HISTORY_LIMIT_MAX}`],
    ['history limit too big', `{"type":"history","limit":${HISTORY_LIMIT_MAX + 1}}`, `history limit must be an integer 1..${HISTORY_LIMIT_MAX}`],
    ['history limit fractional', '{"type":"history","limit":1.5}', `history limit must be an integer 1..${HISTORY_LIMIT_MAX}`],
    ['history limit a string', '{"type":"history","limit":"5"}', `history limit must be an integer 1..${HISTORY_LIMIT_MAX}`],
  ])('refuses %s', (_case, raw, reason) => {
    expect(parseClientMessage(raw)).toEqual({ ok: false, reason });
  });
});

describe('frames', () => {
  it('frames a message as a notification with exactly the message fields', () => {
    const frame = notificationFrame({ id: 'd-1', title: 'T', text: 'x', url: null, createdAt: 5 });
    expect(JSON.parse(encodeFrame(frame))).toEqual({ type: 'notification', id: 'd-1', title: 'T', text: 'x', url: null, createdAt: 5 });
  });

  it('encodes acks, errors and history as JSON text', () => {
    expect(JSON.parse(encodeFrame({ type: 'read', id: 'd-1' }))).toEqual({ type: 'read', id: 'd-1' });
    expect(JSON.parse(encodeFrame({ type: 'error', code: 'NOT_FOUND', message: 'no such message', id: 'x' })))
      .toEqual({ type: 'error', code: 'NOT_FOUND', message: 'no such message', id: 'x' });
    const item = { id: 'a', title: null, text: 't', url: null, createdAt: 1, read: true, readAt: 9 };
    expect(JSON.parse(encodeFrame({ type: 'history', items: [item] }))).toEqual({ type: 'history', items: [item] });
  });
});
