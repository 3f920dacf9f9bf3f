import Handlebars from 'handlebars';
import { VestnikError } from '../../platform/errors';
import type { Channel, MessageContent, Template, TemplateVariant } from '../../schemas/types';

type Compiled = Handlebars.TemplateDelegate;

/**
 * Renders Handlebars sources into message content. Compiled templates are cached by source, so a
 * fan-out to a million clients compiles each template once. HTML is escaped; plain-text parts are not
 * (an SMS must show "&" as "&"), and helpers cannot reach the prototype (Handlebars' defaults).
 */
export function createRenderer(options: { cacheSize?: number } = {}) {
  const hbs = Handlebars.create();
  const cache = new Map<string, Compiled>();
  const cacheSize = options.cacheSize ?? 500;

  function compile(source: string, escapeHtml: boolean): Compiled {
    const key = `${escapeHtml ? 'h' : 't'}:${source}`;
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = hbs.compile(source, { noEscape: !escapeHtml, strict: false });
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(key, compiled);
    }
    return compiled;
  }

  function render(source: string, context: object, escapeHtml = false): string {
    try {
      return compile(source, escapeHtml)(context);
    } catch (error) {
      throw new VestnikError('TEMPLATE_FAILED', 'template failed to render', { cause: error, retriable: false });
    }
  }

  return { render };
}

export type Renderer = ReturnType<typeof createRenderer>;

/** The variant for a locale: exact, then its language ("pt-BR" → "pt"), then the template's default. */
export function pickVariant(template: Template, locale: string): TemplateVariant | null {
  const picked = variantLocaleOf(template, locale);
  return picked === null ? null : template.variants[picked] ?? null;
}

/** The key of the variant pickVariant uses for `locale` (what a preview says it rendered), or null. */
export function variantLocaleOf(template: Template, locale: string): string | null {
  const language = locale.split('-')[0] ?? locale;
  for (const candidate of [locale, language, template.defaultLocale]) {
    if (Object.prototype.hasOwnProperty.call(template.variants, candidate) && template.variants[candidate]) return candidate;
  }
  return null;
}

/** Renders one channel's part of a template; TEMPLATE_FAILED when the template has none for that channel. */
export function renderTemplate(
  renderer: Renderer,
  template: Template,
  channel: Channel,
  locale: string,
  context: object,
): MessageContent {
  const variant = pickVariant(template, locale);
  const missing = () =>
    new VestnikError('TEMPLATE_FAILED', `template ${template.id} has no ${channel} part for locale ${locale}`);
  const base = { subject: null, html: null, title: null, headers: {} };
  switch (channel) {
    case 'email': {
      const email = variant?.email;
      if (!email) throw missing();
      return {
        ...base,
        subject: renderer.render(email.subject, context),
        text: renderer.render(email.text, context),
        html: email.html === null ? null : renderer.render(email.html, context, true),
      };
    }
    case 'sms':
    case 'inapp':
    case 'webhook': {
      const source = variant?.[channel];
      if (!source) throw missing();
      return { ...base, text: renderer.render(source, context) };
    }
    case 'push': {
      const push = variant?.push;
      if (!push) throw missing();
      return { ...base, title: renderer.render(push.title, context), text: renderer.render(push.body, context) };
    }
  }
}

/** The reason a recipient's status carries when their template cannot render (with the cause's message, if any). */
export function templateFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `template failed: ${message}${cause}`;
}
