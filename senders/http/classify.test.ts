import { HttpProviderSpecSchema } from '../../platform/http/provider-spec';
import { classifyHttpAnswer } from './classify';

const base = { name: 'acme', channel: 'sms', baseUrl: 'http://127.0.0.1:1', path: '/', body: '{}' } as const;
const rules = (more: object = {}) => HttpProviderSpecSchema.parse({ ...base, ...more });

describe('a configured provider\'s answers', () => {
  it('reads any 2xx as sent by default, and 429 as retriable with its Retry-After before "4xx is permanent"', () => {
    expect(classifyHttpAnswer(rules(), { status: 204, body: '' })).toEqual({ kind: 'sent' });
    expect(classifyHttpAnswer(rules(), { status: 429, body: '', retryAfter: '3' })).toEqual({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'http 429', retryAfterMs: 3000 });
    expect(classifyHttpAnswer(rules(), { status: 400, body: '' })).toEqual({ kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 400' });
    expect(classifyHttpAnswer(rules(), { status: 502, body: '' })).toMatchObject({ kind: 'retriable', reason: 'http 502' });
    expect(classifyHttpAnswer(rules(), { status: 302, body: '' })).toMatchObject({ kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE' });
  });

  it('checks a JSON field of a sent answer and takes the provider\'s id', () => {
    const spec = rules({ sent: { status: [202], json: { path: 'result.state', equals: 'queued' } }, messageIdPath: 'result.id' });
    expect(classifyHttpAnswer(spec, { status: 202, body: '{"result":{"state":"queued","id":77}}' })).toEqual({ kind: 'sent', providerMessageId: '77' });
    expect(classifyHttpAnswer(spec, { status: 202, body: '{"result":{"state":"rejected"}}' }))
      .toEqual({ kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE', reason: 'http 202 with result.state = "rejected"' });
    expect(classifyHttpAnswer(spec, { status: 202, body: 'not json' })).toMatchObject({ kind: 'retriable', reason: 'http 202 with result.state = nothing' });
    expect(classifyHttpAnswer({ ...spec, jsonMismatch: 'permanent' }, { status: 202, body: '{}' })).toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED' });
    // 200 is not a sent status for this provider, and not in any other rule.
    expect(classifyHttpAnswer(spec, { status: 200, body: '{"result":{"state":"queued"}}' })).toMatchObject({ kind: 'retriable', reason: 'unexpected http 200' });
  });
});
