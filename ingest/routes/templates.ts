import { VestnikError } from '../../platform/errors';
import type { Template } from '../../schemas/types';
import { invalidField, notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { ResourceId, toIso } from '../../domain/resources/common';
import { IdParams, PageQuery } from '../openapi/paging';
import { TemplateInput, TemplateInputSchema, TemplateSchema, TemplateView } from '../../domain/resources/templates';
import { TemplatePageSchema } from '../openapi/templates';
import { z } from '../../domain/resources/zod';
import type { Clock, IdGenerator } from '../ports';
import type { ResourceStore } from '../../platform/stores/ports';

export interface TemplateRoutesDeps {
  templates: ResourceStore<Template>;
  clock: Clock;
  newId: IdGenerator;
}

const tag = 'templates';
const role = 'admin';
const logIdAs = 'templateId';
const one = { description: 'The template', schema: TemplateSchema };
const PutParams = z.object({ id: ResourceId });

function toTemplate(input: TemplateInput, id: string, now: number): Template {
  const { name, defaultLocale, variants, contextProvider } = input;
  return { id, name, defaultLocale, variants, contextProvider, updatedAt: now };
}

const templateView = (template: Template): TemplateView => ({ ...template, updatedAt: toIso(template.updatedAt) });

/** Mounts the template routes (role admin). Bodies are refused unless every Handlebars source compiles. */
export function mountTemplateRoutes(target: RouteTarget, deps: TemplateRoutesDeps): void {
  for (const mount of [createTemplate, listTemplates, getTemplate, putTemplate, deleteTemplate]) mount(target, deps);
}

function createTemplate(target: RouteTarget, deps: TemplateRoutesDeps): void {
  const spec = {
    method: 'post', path: '/api/templates', summary: 'Create a template', tag, role, body: TemplateInputSchema,
    responses: { 201: one, 409: { description: 'A template with this id exists' } },
  } as const;
  mountRoute(target, spec, async (ctx, { body }) => {
    const id = body.id ?? deps.newId();
    ctx.state.logFields.templateId = id;
    if (body.id && (await deps.templates.get(id))) throw new VestnikError('CONFLICT', 'template already exists', { details: { id } });
    const template = toTemplate(body, id, deps.clock.now());
    await deps.templates.put(template);
    ctx.status = 201;
    ctx.set('Location', `/api/templates/${encodeURIComponent(id)}`);
    ctx.body = templateView(template);
  });
}

function listTemplates(target: RouteTarget, deps: TemplateRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/templates', summary: 'List templates', tag, role, query: PageQuery,
    responses: { 200: { description: 'A page of templates', schema: TemplatePageSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    const page = await deps.templates.list({ cursor: query.cursor, limit: query.limit });
    ctx.body = { items: page.items.map(templateView), nextCursor: page.nextCursor };
  });
}

function getTemplate(target: RouteTarget, deps: TemplateRoutesDeps): void {
  const spec = { method: 'get', path: '/api/templates/{id}', summary: 'Get a template', tag, role, logIdAs, params: IdParams, responses: { 200: one } } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    const template = await deps.templates.get(params.id);
    if (!template) throw notFound('template', params.id);
    ctx.body = templateView(template);
  });
}

function putTemplate(target: RouteTarget, deps: TemplateRoutesDeps): void {
  const spec = {
    method: 'put', path: '/api/templates/{id}', summary: 'Create or replace a template', tag, role, logIdAs,
    params: PutParams, body: TemplateInputSchema, responses: { 200: one, 201: one },
  } as const;
  mountRoute(target, spec, async (ctx, { params, body }) => {
    if (body.id !== undefined && body.id !== params.id) throw invalidField('id', 'id differs from the path');
    const existed = (await deps.templates.get(params.id)) !== null;
    const template = toTemplate(body, params.id, deps.clock.now());
    await deps.templates.put(template);
    ctx.status = existed ? 200 : 201;
    ctx.body = templateView(template);
  });
}

function deleteTemplate(target: RouteTarget, deps: TemplateRoutesDeps): void {
  const spec = {
    method: 'delete', path: '/api/templates/{id}', summary: 'Delete a template', tag, role, logIdAs, params: IdParams,
    responses: { 204: { description: 'Deleted' } },
  } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    if (!(await deps.templates.remove(params.id))) throw notFound('template', params.id);
    ctx.status = 204;
  });
}
