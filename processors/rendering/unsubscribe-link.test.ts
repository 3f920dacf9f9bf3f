import type { MessageContent } from '../../schemas/types';
import { createRenderer } from './render';
import { ONE_CLICK_BODY, unsubscribeHeaders, withUnsubscribeLink } from './unsubscribe-link';

const URL = 'https://news.example.com/u/YzE.abc_DEF-123';
const content = (over: Partial<MessageContent> = {}): MessageContent => ({
  text: 'Hello', subject: 'Sale', html: '<html><body><p>Hello</p></body></html>', title: null, headers: {}, ...over,
});

describe('unsubscribeHeaders', () => {
  it('gives List-Unsubscribe in angle brackets and the RFC 8058 one-click header', () => {
    expect(unsubscribeHeaders(URL)).toEqual({ 'List-Unsubscribe': `<${URL}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(ONE_CLICK_BODY).toBe('List-Unsubscribe=One-Click');
  });
});

describe('withUnsubscribeLink', () => {
  it('adds the headers, keeping the template\'s own headers', () => {
    const result = withUnsubscribeLink(content({ headers: { 'X-Campaign': 'spring' } }), URL);
    expect(result.headers).toEqual({ 'X-Campaign': 'spring', ...unsubscribeHeaders(URL) });
  });

  it('appends a footer with the link to text and inside the HTML body when the template has none', () => {
    const result = withUnsubscribeLink(content(), URL);
    expect(result.text).toBe(`Hello\n\n--\nUnsubscribe from promotional messages: ${URL}\n`);
    expect(result.html).toMatch(new RegExp(`<p>Hello</p><p[^>]*>Unsubscribe from promotional messages: <a href="${URL}">`));
    expect(result.html?.endsWith('</body></html>')).toBe(true);
  });

  it('appends the HTML footer at the end of a fragment without </body>', () => {
    expect(withUnsubscribeLink(content({ html: '<p>Hi</p>' }), URL).html).toMatch(/^<p>Hi<\/p><p[^>]*>Unsub.*<\/p>$/);
  });

  it('leaves text-only mail without HTML', () => {
    expect(withUnsubscribeLink(content({ html: null }), URL).html).toBeNull();
  });

  it('adds no footer where the template placed {{unsubscribeUrl}} (text raw, HTML escaped)', () => {
    const url = 'https://x.example/u/a.b?x=1&y=2';
    const renderer = createRenderer();
    const context = { unsubscribeUrl: url };
    const rendered = content({
      text: renderer.render('Bye: {{unsubscribeUrl}}', context),
      html: renderer.render('<a href="{{unsubscribeUrl}}">unsubscribe</a>', context, true),
    });
    const result = withUnsubscribeLink(rendered, url);
    expect(result.text).toBe(rendered.text);
    expect(result.html).toBe(rendered.html);
    expect(result.headers['List-Unsubscribe']).toBe(`<${url}>`);
  });

  it('does not change its input', () => {
    const input = content();
    withUnsubscribeLink(input, URL);
    expect(input).toEqual(content());
  });
});
