import { HttpProviderSpecSchema } from '../../platform/http/provider-spec';
import type { DeliveryCommand } from '../../schemas/types';
import { compileRequest } from './request';

const spec = (more: object = {}) => HttpProviderSpecSchema.parse({
  name: 'acme', channel: 'sms', baseUrl: 'http://127.0.0.1:1/api', path: '/messages/{{url deliveryId}}',
  headers: { 'X-Api-Key': 'k-1', 'X-Client': '{{clientId}}' }, body: '{"to":{{json address}},"text":{{json text}},"promo":{{json promo}} }', ...more,
});
const command = {
  deliveryId: 'd/1 ?', clientId: 'c-1', sourceType: 'mailing', sourceId: 'm-1', channel: 'sms', priority: 'bulk', address: '79000000001', deviceTokens: [],
  content: { text: 'Hi "Anna"\n{{not a template}}', subject: null, html: null, title: null, headers: {} }, promo: false, attempt: 0,
} as unknown as DeliveryCommand;

describe('a configured provider\'s request', () => {
  it('renders path, headers and body from the command, encoded for where each goes', () => {
    const request = compileRequest(spec(), '/api')(command);
    expect(request).toEqual({
      method: 'POST', path: '/api/messages/d%2F1%20%3F', headers: { 'x-api-key': 'k-1', 'x-client': 'c-1' },
      body: '{"to":"79000000001","text":"Hi \\"Anna\\"\\n{{not a template}}","promo":false }',
    });
    expect(JSON.parse(request.body).text).toBe(command.content.text);
  });

  it('takes a JSON body whose strings are templates, a lone field keeping its type', () => {
    const request = compileRequest(spec({ body: { to: '{{address}}', message: { text: 'Note: {{text}}', tokens: '{{deviceTokens}}', promo: '{{promo}}' }, v: 2 } }), '')(command);
    expect(JSON.parse(request.body)).toEqual({ to: '79000000001', message: { text: `Note: ${command.content.text}`, tokens: [], promo: false }, v: 2 });
  });

  it.each([
    ['a string body', '{"to":{{json phone}} }'],
    ['a JSON body', { to: '{{phone}}' }],
    ['a JSON body\'s text', { to: 'to {{phone}}' }],
  ])('fails at start on a field that does not exist in %s, naming the provider and the template', (_case, body) => {
    expect(() => compileRequest(spec({ body }), '')).toThrow(/HTTP provider acme: its body template does not render: .*(phone|does not exist)/);
  });
});
