import { VestnikError } from '../../platform/errors';
import type { Client } from '../../schemas/types';
import { invalidBody, notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { IdParams } from '../openapi/paging';
import { ClientSchema, CreateClientSchema, PatchClientSchema } from '../../domain/resources/clients';
import { ClientListQuery, ClientPageSchema } from '../openapi/clients';
import type { Clock, IdGenerator } from '../ports';
import type { ResourceStore } from '../../platform/stores/ports';
import { clientView, mergeClientPatch, toClient } from './client-records';

export interface ClientRoutesDeps {
  clients: ResourceStore<Client>;
  clock: Clock;
  newId: IdGenerator;
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
    responses: { 201: one, 409: { description: 'A client with this id exists' } },
  } as const;
  mountRoute(target, spec, async (ctx, { body }) => {
    const id = body.id ?? deps.newId();
    ctx.state.logFields.clientId = id;
    if (body.id && (await deps.clients.get(id))) throw new VestnikError('CONFLICT', 'client already exists', { details: { id } });
    const client = toClient(body, id, deps.clock.now());
    await deps.clients.put(client);
    ctx.status = 201;
    ctx.set('Location', `/api/clients/${encodeURIComponent(id)}`);
    ctx.body = clientView(client);
  });
}

function listClients(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/clients', summary: 'List clients, optionally by tag and operator code', tag, role,
    query: ClientListQuery, responses: { 200: { description: 'A page of clients', schema: ClientPageSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    const { cursor, limit, tag: byTag, operatorCode } = query;
    const page = await deps.clients.list({ cursor, limit, filter: { tag: byTag, operatorCode } });
    ctx.body = { items: page.items.map(clientView), nextCursor: page.nextCursor };
  });
}

function getClient(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = { method: 'get', path: '/api/clients/{id}', summary: 'Get a client', tag, role, logIdAs, params: IdParams, responses: { 200: one } } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    ctx.body = clientView(await load(deps, params.id));
  });
}

function patchClient(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'patch', path: '/api/clients/{id}', summary: 'Replace some top-level fields of a client', tag, role, logIdAs,
    params: IdParams, body: PatchClientSchema, responses: { 200: one },
  } as const;
  mountRoute(target, spec, async (ctx, { params, body }) => {
    const existing = await load(deps, params.id);
    const merged = CreateClientSchema.safeParse(mergeClientPatch(existing, body));
    if (!merged.success) throw invalidBody(merged.error);
    const client = toClient(merged.data, existing.id, deps.clock.now());
    await deps.clients.put(client);
    ctx.body = clientView(client);
  });
}

function deleteClient(target: RouteTarget, deps: ClientRoutesDeps): void {
  const spec = {
    method: 'delete', path: '/api/clients/{id}', summary: 'Delete a client', tag, role, logIdAs, params: IdParams,
    responses: { 204: { description: 'Deleted' } },
  } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    if (!(await deps.clients.remove(params.id))) throw notFound('client', params.id);
    ctx.status = 204;
  });
}
