import type { ResourceStore } from '../../platform/stores/ports';
import type { Client, MessageContent, Template } from '../../schemas/types';
import { invalidField, notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { PreviewBodySchema, PreviewSchema, TestSendAcceptedSchema, TestSendBodySchema } from '../openapi/console-reads';
import { IdParams } from '../openapi/paging';
import type { Clock, ExpressDeliveries, IdGenerator } from '../ports';
import type { TemplateRendering } from '../template-render';
import { testDelivery } from '../test-send';

export interface TemplatePreviewDeps {
  templates: ResourceStore<Template>;
  clients: ResourceStore<Client>;
  rendering: TemplateRendering;
  express: ExpressDeliveries;
  clock: Clock;
  newId: IdGenerator;
}

const tag = 'templates';

/** Mounts template preview (console viewer: it writes nothing) and test send (console editor). */
export function mountTemplatePreviewRoutes(target: RouteTarget, deps: TemplatePreviewDeps): void {
  previewTemplate(target, deps);
  testSend(target, deps);
}

/** A sample client named in a body; an unknown id is the body's mistake (422 on `clientId`). */
async function sampleClient(deps: TemplatePreviewDeps, clientId: string): Promise<Client> {
  const client = await deps.clients.get(clientId);
  if (!client) throw invalidField('clientId', 'no such client');
  return client;
}

function previewTemplate(target: RouteTarget, deps: TemplatePreviewDeps): void {
  const spec = {
    method: 'post', path: '/api/templates/preview',
    summary: "Render a template (as edited, not stored) for a client with the pipeline's own rendering and the client's context-provider data",
    tag, role: 'admin', console: 'viewer', body: PreviewBodySchema,
    responses: {
      200: { description: 'The rendered message', schema: PreviewSchema },
      422: { description: 'Invalid body, or the template does not render: details name the field (template.variants.<locale>.<channel>.<part>)' },
      503: { description: 'The user-data service (context provider) is unavailable' },
    },
  } as const;
  mountRoute(target, spec, async (ctx, { body }) => {
    const client = await sampleClient(deps, body.clientId);
    const { id, name, defaultLocale, variants, contextProvider } = body.template;
    const template: Template = { id: id ?? 'preview', name, defaultLocale, variants, contextProvider, updatedAt: deps.clock.now() };
    const rendered = await deps.rendering.render({
      template, client, channel: body.channel, locale: body.locale, context: body.context, fieldPrefix: 'template.',
    });
    ctx.body = { channel: body.channel, locale: rendered.locale, ...previewParts(rendered.content) };
  });
}

/** The parts a person reads: subject (email), title (push), text, html (email with an HTML part). */
function previewParts(content: MessageContent): { subject?: string; title?: string; text: string; html?: string } {
  return {
    ...(content.subject !== null ? { subject: content.subject } : {}),
    ...(content.title !== null ? { title: content.title } : {}),
    text: content.text,
    ...(content.html !== null ? { html: content.html } : {}),
  };
}

function testSend(target: RouteTarget, deps: TemplatePreviewDeps): void {
  const spec = {
    method: 'post', path: '/api/templates/{id}/test-send',
    summary: 'Send the stored template once to an address of your choice, as an express delivery marked as a test (sourceType test)',
    tag, role: 'admin', console: 'editor', logIdAs: 'templateId', params: IdParams, body: TestSendBodySchema,
    responses: {
      202: { description: 'Queued on deliveries.express; follow it by deliveryId', schema: TestSendAcceptedSchema },
      422: { description: 'Invalid body (an address that does not fit the channel), or the template does not render for it' },
      503: { description: 'The user-data service (context provider) is unavailable' },
    },
  } as const;
  mountRoute(target, spec, async (ctx, { params, body }) => {
    const template = await deps.templates.get(params.id);
    if (!template) throw notFound('template', params.id);
    const sample = body.clientId !== undefined ? await sampleClient(deps, body.clientId) : null;
    const rendered = await deps.rendering.render({
      template, client: sample, channel: body.channel, locale: body.locale, context: body.context, fieldPrefix: 'template.',
    });
    const requestId = deps.newId();
    const { command, status } = testDelivery({
      requestId, templateId: template.id, channel: body.channel, to: body.to, sample, content: rendered.content, now: deps.clock.now(),
    });
    ctx.state.logFields.deliveryId = command.deliveryId;
    await deps.express.enqueue(command, status);
    ctx.status = 202;
    ctx.body = { deliveryId: command.deliveryId };
  });
}
