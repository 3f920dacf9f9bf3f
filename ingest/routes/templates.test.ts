import request from 'supertest';
import { TemplateSchema } from '../../domain/resources/templates';
import { KEYS, bearer, createTestApp } from '../../tests/doubles/test-app';

const admin = bearer(KEYS.admin);
const valid = {
  id: 'welcome',
  defaultLocale: 'en',
  variants: {
    en: { email: { subject: 'Hi {{name}}', text: 'Confirm: {{confirmUrl}}' }, sms: 'Hi {{name}}' },
    ru: { push: { title: 'Привет', body: '{{#if name}}{{name}}{{/if}}' } },
  },
};

function setup() {
  const t = createTestApp();
  return { ...t, http: request(t.app.callback()) };
}

describe('/api/templates', () => {
  it('creates with nulls for absent channels, lists and gets', async () => {
    const { http, templates } = setup();
    const created = await http.post('/api/templates').set('Authorization', admin).send(valid);
    expect(created.status).toBe(201);
    expect(TemplateSchema.parse(created.body)).toEqual(created.body);
    expect(templates.items.get('welcome')?.variants.en).toEqual({
      email: { subject: 'Hi {{name}}', html: null, text: 'Confirm: {{confirmUrl}}' },
      sms: 'Hi {{name}}',
      push: null,
      inapp: null,
      webhook: null,
    });
    const list = await http.get('/api/templates').set('Authorization', admin).expect(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual(['welcome']);
    const one = await http.get('/api/templates/welcome').set('Authorization', admin).expect(200);
    expect(one.body.defaultLocale).toBe('en');
  });

  it('answers 409 to a second POST of the same id', async () => {
    const { http } = setup();
    await http.post('/api/templates').set('Authorization', admin).send(valid).expect(201);
    await http.post('/api/templates').set('Authorization', admin).send(valid).expect(409);
  });

  it.each([
    ['an unclosed block', { en: { sms: 'Hi {{#if name}}' } }, 'variants.en.sms'],
    ['a broken mustache in an email subject', { en: { email: { subject: 'Hi {{name', text: 'x' } } }, 'variants.en.email.subject'],
    ['a broken push body', { en: { push: { title: 'ok', body: '{{/each}}' } } }, 'variants.en.push.body'],
  ])('answers 422 for a template with %s', async (_case, variants, path) => {
    const { http } = setup();
    const res = await http.post('/api/templates').set('Authorization', admin).send({ ...valid, variants });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path, message: expect.stringContaining('does not compile') })]);
  });

  it.each([
    ['a default locale without a variant', { defaultLocale: 'de' }, 'defaultLocale'],
    ['an empty variant', { variants: { en: {} } }, 'variants.en'],
    ['an unknown channel', { variants: { en: { fax: 'x' } } }, 'variants.en.fax'],
    ['a bad locale key', { variants: { EN_us: { sms: 'x' } } }, 'variants.EN_us'],
  ])('answers 422 for %s', async (_case, patch, path) => {
    const { http } = setup();
    const res = await http.post('/api/templates').set('Authorization', admin).send({ ...valid, ...patch });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('PUT creates (201), then replaces (200)', async () => {
    const { http, templates } = setup();
    const { id: _id, ...body } = valid;
    await http.put('/api/templates/promo').set('Authorization', admin).send(body).expect(201);
    const res = await http.put('/api/templates/promo').set('Authorization', admin).send({ ...body, name: 'Promo' });
    expect(res.status).toBe(200);
    expect(templates.items.get('promo')?.name).toBe('Promo');
  });

  it('PUT refuses a body id that differs from the path, and a broken template', async () => {
    const { http } = setup();
    await http.put('/api/templates/other').set('Authorization', admin).send(valid).expect(422);
    const broken = await http.put('/api/templates/welcome').set('Authorization', admin).send({ ...valid, variants: { en: { sms: '{{' } } });
    expect(broken.status).toBe(422);
  });

  it('deletes, then answers 404', async () => {
    const { http } = setup();
    await http.post('/api/templates').set('Authorization', admin).send(valid).expect(201);
    await http.delete('/api/templates/welcome').set('Authorization', admin).expect(204);
    await http.get('/api/templates/welcome').set('Authorization', admin).expect(404);
    await http.delete('/api/templates/welcome').set('Authorization', admin).expect(404);
  });
});
