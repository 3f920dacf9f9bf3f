/**
 * Rendering a template for an operator (preview and test send) with the pipeline's own code: the
 * renderer, variant choice and parts of processors/rendering, and the recipient's provided context from
 * processors/context-providers, so what the console shows is what a fan-out would send that client.
 *
 * The context is the notification fan-out's: the request's context (a sample one from the operator),
 * then the provider's data under its kind's name, then `name` and `client`. Every failure a person can
 * fix comes back as a 422 whose details name the body field (`template.variants.en.email.subject`,
 * `clientId`, `template.contextProvider`); an unreachable user-data service is a 503.
 */
import { VestnikError, errorCode, isRetriable } from '../platform/errors';
import type { Channel, Client, MessageContent, Template } from '../schemas/types';
import { pageContexts, type ContextSource } from '../processors/context-providers';
import { createRenderer, renderTemplate, variantLocaleOf, type Renderer } from '../processors/rendering/render';
import { invalidField } from './http/errors';

export interface RenderRequest {
  template: Template;
  /** The sample client whose data the message is rendered with; null renders without one (test send). */
  client: Client | null;
  channel: Channel;
  /** Default: the client's locale, else the template's default. */
  locale?: string | undefined;
  /** A sample request context (as POST /api/notifications carries). */
  context?: Record<string, unknown> | undefined;
  /** Where the template sits in the request body, for error paths: `template.` (preview) or `` (stored). */
  fieldPrefix: string;
}

export interface Rendered {
  /** The variant rendered, after the fallback rules. */
  locale: string;
  content: MessageContent;
}

export interface TemplateRendering {
  render(request: RenderRequest): Promise<Rendered>;
}

/** Parts of each channel, in the order the renderer renders them, as named in a template body. */
const PARTS: Record<Channel, readonly { field: string | null; escapeHtml: boolean }[]> = {
  email: [{ field: 'subject', escapeHtml: false }, { field: 'text', escapeHtml: false }, { field: 'html', escapeHtml: true }],
  push: [{ field: 'title', escapeHtml: false }, { field: 'body', escapeHtml: false }],
  sms: [{ field: null, escapeHtml: false }],
  inapp: [{ field: null, escapeHtml: false }],
  webhook: [{ field: null, escapeHtml: false }],
};

export function createTemplateRendering(deps: { contexts?: ContextSource; renderer?: Renderer } = {}): TemplateRendering {
  const renderer = deps.renderer ?? createRenderer();
  return {
    async render(request) {
      const { template, client, channel, fieldPrefix } = request;
      const wanted = request.locale ?? client?.locale ?? template.defaultLocale;
      const locale = variantLocaleOf(template, wanted);
      const variant = locale === null ? null : template.variants[locale];
      if (locale === null || !variant?.[channel]) {
        throw invalidField(`${fieldPrefix}variants.${locale ?? wanted}.${channel}`, `the template has no ${channel} part for locale ${wanted}`);
      }
      const provided = await providedContext(deps.contexts, template, client, fieldPrefix);
      const context = {
        ...request.context, ...provided,
        ...(client ? { name: client.name, client: { id: client.id, name: client.name, locale: client.locale, tags: client.tags } } : {}),
      };
      try {
        return { locale, content: renderTemplate(renderer, template, channel, locale, context) };
      } catch (error) {
        throw renderFailure(renderer, variant[channel] as string | Record<string, string | null>, context, `${fieldPrefix}variants.${locale}.${channel}`, channel, error);
      }
    },
  };
}

/** The client's data from the template's context provider ({} without one), or a 422/503 saying why not. */
async function providedContext(
  contexts: ContextSource | undefined, template: Template, client: Client | null, fieldPrefix: string,
): Promise<Record<string, unknown>> {
  if (template.contextProvider === null) return {};
  if (!client) throw invalidField('clientId', `the template's context provider ${template.contextProvider} needs a sample client`);
  const of = await pageContexts(contexts, template, [client]).catch((error: unknown) => {
    if (isRetriable(error)) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'the user-data service is unavailable', { retriable: true, cause: error });
    const reason = errorCode(error) === 'CONFIG_INVALID' ? 'no user-data service is configured' : (error as Error).message;
    throw invalidField(`${fieldPrefix}contextProvider`, reason);
  });
  const provided = of(client.id);
  if (provided === null) throw invalidField('clientId', `the user-data service has no ${template.contextProvider} context for this client`);
  return provided;
}

/**
 * Which part failed, found by rendering the channel's parts one by one with the same renderer (only
 * after renderTemplate failed): the 422 names that field and gives Handlebars' own message.
 */
function renderFailure(
  renderer: Renderer, source: string | Record<string, string | null>, context: object, path: string, channel: Channel, error: unknown,
): VestnikError {
  for (const part of PARTS[channel]) {
    const text = part.field === null ? source : (source as Record<string, string | null>)[part.field];
    if (typeof text !== 'string') continue;
    try {
      renderer.render(text, context, part.escapeHtml);
    } catch (partError) {
      return invalidField(part.field === null ? path : `${path}.${part.field}`, `template failed to render: ${causeMessage(partError)}`);
    }
  }
  return invalidField(path, `template failed to render: ${causeMessage(error)}`);
}

function causeMessage(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? 'unknown error';
}
