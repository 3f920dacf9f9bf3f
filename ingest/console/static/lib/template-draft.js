// A template as the editor holds it (every channel's fields as strings, per locale) and as the API takes
// it (a channel is null when all its fields are empty; an email's html is null when empty).

export const CHANNEL_FIELDS = {
  email: [['subject', 'Subject'], ['text', 'Text'], ['html', 'HTML (optional)']],
  sms: [['text', 'Text']],
  push: [['title', 'Title'], ['body', 'Body']],
  inapp: [['text', 'Text']],
  webhook: [['text', 'Text']],
};

const emptyVariant = () => ({ email: { subject: '', text: '', html: '' }, sms: { text: '' }, push: { title: '', body: '' }, inapp: { text: '' }, webhook: { text: '' } });

export function draftOf(template) {
  if (!template) return { id: '', name: '', defaultLocale: 'en', contextProvider: '', variants: { en: emptyVariant() } };
  const variants = {};
  for (const [locale, v] of Object.entries(template.variants)) {
    variants[locale] = {
      email: { subject: v.email?.subject ?? '', text: v.email?.text ?? '', html: v.email?.html ?? '' },
      sms: { text: v.sms ?? '' }, push: { title: v.push?.title ?? '', body: v.push?.body ?? '' }, inapp: { text: v.inapp ?? '' }, webhook: { text: v.webhook ?? '' },
    };
  }
  return { id: template.id, name: template.name ?? '', defaultLocale: template.defaultLocale, contextProvider: template.contextProvider ?? '', variants };
}

export function addLocale(draft, locale) {
  return { ...draft, variants: { ...draft.variants, [locale]: emptyVariant() } };
}

const blank = (fields) => Object.values(fields).every((v) => v.trim() === '');

export function bodyOf(draft) {
  const variants = {};
  for (const [locale, v] of Object.entries(draft.variants)) {
    variants[locale] = {
      email: blank(v.email) ? null : { subject: v.email.subject, text: v.email.text, html: v.email.html.trim() ? v.email.html : null },
      sms: blank(v.sms) ? null : v.sms.text,
      push: blank(v.push) ? null : { ...v.push },
      inapp: blank(v.inapp) ? null : v.inapp.text,
      webhook: blank(v.webhook) ? null : v.webhook.text,
    };
  }
  return { name: draft.name.trim() || null, defaultLocale: draft.defaultLocale.trim(), contextProvider: draft.contextProvider.trim() || null, variants };
}

/** The API path of a channel's field: sms, inapp and webhook are plain strings in the API. */
export function fieldPath(locale, channel, field) {
  return channel === 'sms' || channel === 'inapp' || channel === 'webhook' ? `variants.${locale}.${channel}` : `variants.${locale}.${channel}.${field}`;
}

/** The first channel a locale's variant fills in (what a preview shows first), or email for a new one. */
export function firstFilledChannel(draft, locale) {
  const variant = draft.variants[locale];
  return (variant && Object.keys(CHANNEL_FIELDS).find((channel) => !blank(variant[channel]))) || 'email';
}
