import { createRenderer, pickVariant, renderTemplate } from './render';
import type { Template } from '../../schemas/types';

const template: Template = {
  id: 't1', name: null, defaultLocale: 'en', contextProvider: null, updatedAt: 0,
  variants: {
    en: {
      email: { subject: 'Hi {{name}}', text: 'Hello {{name}} & co', html: '<p>Hello {{name}}</p>' },
      sms: 'Hi {{name}} & co', push: null, inapp: null,
    },
    ru: { email: null, sms: 'Привет, {{name}}', push: { title: 'T {{name}}', body: 'B' }, inapp: null },
  },
};

describe('renderer', () => {
  const renderer = createRenderer();

  it('escapes HTML parts and leaves text parts as written', () => {
    const content = renderTemplate(renderer, template, 'email', 'en', { name: '<b>Ann</b>' });
    expect(content.html).toBe('<p>Hello &lt;b&gt;Ann&lt;/b&gt;</p>');
    expect(content.text).toBe('Hello <b>Ann</b> & co');
    expect(content.subject).toBe('Hi <b>Ann</b>');
  });

  it('keeps template syntax inside values as text', () => {
    expect(renderer.render('Hi {{name}}', { name: '{{secret}}' })).toBe('Hi {{secret}}');
  });

  it('fails with TEMPLATE_FAILED when a source does not compile', () => {
    expect(() => renderer.render('Hi {{#if}}', {})).toThrow(expect.objectContaining({ code: 'TEMPLATE_FAILED' }));
  });

  it('fails with TEMPLATE_FAILED when the channel has no part', () => {
    expect(() => renderTemplate(renderer, template, 'inapp', 'en', {})).toThrow(
      expect.objectContaining({ code: 'TEMPLATE_FAILED' }),
    );
  });
});

describe('pickVariant', () => {
  it.each([
    ['ru', 'ru'],
    ['ru-RU', 'ru'],
    ['de', 'en'],
    ['en-GB', 'en'],
  ])('locale %s uses the %s variant', (locale, expected) => {
    expect(pickVariant(template, locale)).toBe(template.variants[expected]);
  });
});
