import { VestnikError } from '../../platform/errors';
import type { Client } from '../../schemas/types';
import { invalidBody, notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { ErrorSchema, IdParams } from '../openapi/paging';
import { ClientSchema, CreateClientSchema, PatchClientSchema } from '../../domain/resources/clients';
import { ClientListQuery, ClientPageSchema } from '../openapi/clients';
import type { Clock, IdGenerator } from '../ports';
import type { ResourceStore } from '../../platform/stores/ports';
import { etagOf } from '../../platform/stores/etag';
import { IfMatchHeaders, ifMatchOf, setEtag } from '../http/preconditions';
import type { EraseClient } from '../erasure';
import type { Middleware } from 'koa';
import type { ApiState } from '../http/context';
import { IdempotencyHeaders } from '../middleware/idempotency';
import { clientView, mergeClientPatch, toClient } from './client-records';

export interface ClientRoutesDeps {
  clients: ResourceStore<Client>;
  clock: Clock;
  newId: IdGenerator;
  /** Erases the person's data outside the directory after the tombstone (default: nothing else to erase). */
  erase?: EraseClient;
  /** Replays of POST with the same Idempotency-Key (ingest/middleware/idempotency.ts). */
  idempotency?: Middleware<ApiState>;
}

const tag = 'clients';
const role = 'admin';
const logIdAs = 'clientId';
const one = { description: 'The client', schema: ClientSchema };

async function load(deps: ClientRoutesDeps, id: string): Promise<Client> {
  const client = await deps.clients.get(id);
  if (!client) throw notFound('client', id);
  return client;
}

/** Mounts the client directory routes (role admin). */
export function mountClientRoutes(target: RouteTarget, deps: ClientRoutesDeps): void {
  for (const mount of [createClient, listClients, getClient, patchClient, deleteClient]) mount(target, deps);
}

function createClient(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'post', path: '/api/clients', summary: 'Create a client', tag, role, body: CreateClientSchema,
    headers: IdempotencyHeaders, use: deps.idempotency ? [deps.idempotency] : [],
    responses: { 201: one, 409: { description: 'A client with this id exists, or the Idempotency-Key is in use' } },
  } as const;
  mountRoute(target, spec, async (ctx, { body }) => {
    const id = body.id ?? deps.newId();
    ctx.state.logFields.clientId = id;
    const client = toClient(body, id, deps.clock.now());
    // The existence check and the write are one step (the store's per-id lock): two creates of one id cannot both win.
    const created = await deps.clients.update(id, (current) => {
      if (current) throw new VestnikError('CONFLICT', 'client already exists', { details: { id } });
      return client;
    });
    ctx.status = 201;
    ctx.set('Location', `/api/clients/${encodeURIComponent(id)}`);
    setEtag(ctx, created.etag);
    ctx.body = clientView(created.value ?? client);
  });
}

function listClients(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/clients', summary: 'List clients, optionally by tag, operator code, exact phone or email (any case)', tag, role,
    query: ClientListQuery, responses: { 200: { description: 'A page of clients', schema: ClientPageSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    const { cursor, limit, tag: byTag, operatorCode, phone, email } = query;
    const page = await deps.clients.list({ cursor, limit, filter: { tag: byTag, operatorCode, phone, email } });
    ctx.body = { items: page.items.map(clientView), nextCursor: page.nextCursor };
  });
}

function getClient(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/clients/{id}', summary: 'Get a client (ETag: the record\'s version, for If-Match)', tag, role, logIdAs,
    params: IdParams, responses: { 200: one },
  } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    const client = await load(deps, params.id);
    setEtag(ctx, etagOf(client));
    ctx.body = clientView(client);
  });
}

function patchClient(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'patch', path: '/api/clients/{id}', summary: 'Replace some top-level fields of a client', tag, role, logIdAs,
    params: IdParams, body: PatchClientSchema, headers: IfMatchHeaders,
    responses: { 200: one, 412: { description: 'If-Match no longer matches the record', schema: ErrorSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { params, body }) => {
    // Merged from the record as it is under the store's lock, so a concurrent change of other fields survives.
    const updated = await deps.clients.update(params.id, (existing) => {
      if (!existing) throw notFound('client', params.id);
      const merged = CreateClientSchema.safeParse(mergeClientPatch(existing, body));
      if (!merged.success) throw invalidBody(merged.error);
      return toClient(merged.data, existing.id, deps.clock.now());
    }, { ifMatch: ifMatchOf(ctx) });
    if (!updated.value) throw notFound('client', params.id);
    setEtag(ctx, updated.etag);
    ctx.body = clientView(updated.value);
  });
}

function deleteClient(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'delete', path: '/api/clients/{id}',
    summary: 'Delete a client and erase their data (directory, in-app inbox, links, analytics rows)', tag, role, logIdAs,
    console: 'admin', // an erasure cannot be undone: console admins only, not editors
    params: IdParams, headers: IfMatchHeaders,
    responses: {
      204: { description: 'Deleted and erased (analytics rows: deletion queued durably in ClickHouse, gone within seconds)' },
      404: { description: 'No such client (whatever was left of an interrupted erasure is erased anyway)', schema: ErrorSchema },
      412: { description: 'If-Match no longer matches the record', schema: ErrorSchema },
    },
  } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    // The tombstone first: from here no fan-out picks the person and GET answers 404. Then the rest, even
    // for a client already gone, so a DELETE retried after a 503 finishes an interrupted erasure.
    const existed = await deps.clients.remove(params.id, { ifMatch: ifMatchOf(ctx) });
    await deps.erase?.(params.id);
    if (!existed) throw notFound('client', params.id);
    ctx.status = 204;
  });
}
