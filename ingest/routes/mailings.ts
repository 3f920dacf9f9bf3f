import { VestnikError } from '../../platform/errors';
import type { Mailing, Template } from '../../schemas/types';
import { invalidBody, invalidField, notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { IdParams } from '../openapi/paging';
import { CreateMailingInput, CreateMailingSchema, MailingSchema, PatchMailingSchema } from '../../domain/resources/mailings';
import { MailingListQuery, MailingPageSchema } from '../openapi/mailings';
import type { Clock, IdGenerator } from '../ports';
import type { ResourceStore } from '../../platform/stores/ports';
import { mailingInput, mailingView, toMailing } from './mailing-records';
import type { Middleware } from 'koa';
import type { ApiState } from '../http/context';
import { IdempotencyHeaders } from '../middleware/idempotency';

export interface MailingRoutesDeps {
  mailings: ResourceStore<Mailing>;
  templates: ResourceStore<Template>;
  clock: Clock;
  newId: IdGenerator;
  /** Replays of POST /api/mailings with the same Idempotency-Key (ingest/middleware/idempotency.ts). */
  idempotency?: Middleware<ApiState>;
}

const tag = 'mailings';
const role = 'admin';
const logIdAs = 'mailingId';
const one = { description: 'The mailing', schema: MailingSchema };

async function load(deps: MailingRoutesDeps, id: string): Promise<Mailing> {
  const mailing = await deps.mailings.get(id);
  if (!mailing) throw notFound('mailing', id);
  return mailing;
}

/** Rules that need the outside world: the template exists, and the mailing can still deliver. */
async function checkReferences(deps: MailingRoutesDeps, input: CreateMailingInput, previous: Mailing | null): Promise<void> {
  if (input.templateId && input.templateId !== previous?.templateId && !(await deps.templates.get(input.templateId))) {
    throw invalidField('templateId', 'no such template');
  }
  const endAt = Date.parse(input.endAt);
  if (endAt !== previous?.endAt && endAt <= deps.clock.now()) throw invalidField('endAt', 'endAt must be in the future');
}

/**
 * Mounts the mailing routes (role admin). The API only stores mailings: the scheduler starts them at
 * `startAt`, and the pipeline treats a removed or cancelled mailing as stopped.
 */
export function mountMailingRoutes(target: RouteTarget, deps: MailingRoutesDeps): void {
  for (const mount of [createMailing, listMailings, getMailing, patchMailing, cancelMailing, deleteMailing]) mount(target, deps);
}

function createMailing(target: RouteTarget, deps: MailingRoutesDeps): void {
  const spec = {
    method: 'post', path: '/api/mailings', summary: 'Create a mailing (status scheduled)', tag, role, body: CreateMailingSchema,
    headers: IdempotencyHeaders, use: deps.idempotency ? [deps.idempotency] : [],
    responses: { 201: one, 409: { description: 'A mailing with this id exists, or the Idempotency-Key is in use' } },
  } as const;
  mountRoute(target, spec, async (ctx, { body }) => {
    const id = body.id ?? deps.newId();
    ctx.state.logFields.mailingId = id;
    if (body.id && (await deps.mailings.get(id))) throw new VestnikError('CONFLICT', 'mailing already exists', { details: { id } });
    await checkReferences(deps, body, null);
    const now = deps.clock.now();
    const mailing = toMailing(body, { id, status: 'scheduled', createdAt: now, updatedAt: now });
    await deps.mailings.put(mailing);
    ctx.status = 201;
    ctx.set('Location', `/api/mailings/${encodeURIComponent(id)}`);
    ctx.body = mailingView(mailing);
  });
}

function listMailings(target: RouteTarget, deps: MailingRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/mailings', summary: 'List mailings, optionally by status', tag, role, query: MailingListQuery,
    responses: { 200: { description: 'A page of mailings', schema: MailingPageSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    const page = await deps.mailings.list({ cursor: query.cursor, limit: query.limit, filter: { status: query.status } });
    ctx.body = { items: page.items.map(mailingView), nextCursor: page.nextCursor };
  });
}

function getMailing(target: RouteTarget, deps: MailingRoutesDeps): void {
  const spec = { method: 'get', path: '/api/mailings/{id}', summary: 'Get a mailing', tag, role, logIdAs, params: IdParams, responses: { 200: one } } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    ctx.body = mailingView(await load(deps, params.id));
  });
}

function patchMailing(target: RouteTarget, deps: MailingRoutesDeps): void {
  const spec = {
    method: 'patch', path: '/api/mailings/{id}', summary: 'Replace some top-level fields of a scheduled or running mailing',
    tag, role, logIdAs, params: IdParams, body: PatchMailingSchema,
    responses: { 200: one, 409: { description: 'The mailing is finished or cancelled' } },
  } as const;
  mountRoute(target, spec, async (ctx, { params, body }) => {
    const existing = await load(deps, params.id);
    if (existing.status === 'finished' || existing.status === 'cancelled') {
      throw new VestnikError('CONFLICT', `a ${existing.status} mailing cannot change`, { details: { status: existing.status } });
    }
    const merged = CreateMailingSchema.safeParse({ ...mailingInput(existing), ...body });
    if (!merged.success) throw invalidBody(merged.error);
    await checkReferences(deps, merged.data, existing);
    const mailing = toMailing(merged.data, { ...existing, updatedAt: deps.clock.now() });
    await deps.mailings.put(mailing);
    ctx.body = mailingView(mailing);
  });
}

function cancelMailing(target: RouteTarget, deps: MailingRoutesDeps): void {
  const spec = {
    method: 'post', path: '/api/mailings/{id}/cancel', summary: 'Cancel a mailing: nothing more is delivered', tag, role, logIdAs,
    params: IdParams, responses: { 200: one, 409: { description: 'The mailing is already finished' } },
  } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    const existing = await load(deps, params.id);
    if (existing.status === 'finished') throw new VestnikError('CONFLICT', 'a finished mailing cannot be cancelled');
    if (existing.status === 'cancelled') {
      ctx.body = mailingView(existing); // idempotent: a repeated cancel changes nothing
      return;
    }
    const mailing: Mailing = { ...existing, status: 'cancelled', updatedAt: deps.clock.now() };
    await deps.mailings.put(mailing);
    ctx.body = mailingView(mailing);
  });
}

function deleteMailing(target: RouteTarget, deps: MailingRoutesDeps): void {
  const spec = {
    method: 'delete', path: '/api/mailings/{id}', summary: 'Delete a mailing (the pipeline treats it as cancelled)',
    tag, role, logIdAs, params: IdParams, responses: { 204: { description: 'Deleted' } },
  } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    if (!(await deps.mailings.remove(params.id))) throw notFound('mailing', params.id);
    ctx.status = 204;
  });
}
