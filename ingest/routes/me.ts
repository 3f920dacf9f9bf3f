import { VestnikError } from '../../platform/errors';
import type { Client, Preferences } from '../../schemas/types';
import type { ApiContext } from '../http/context';
import { notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { MyNotificationPageSchema, MyNotificationsQuery, PreferencesBodySchema, PreferencesSchema, type PreferencesBody } from '../openapi/me';
import type { Clock } from '../ports';
import type { UserNotifications } from '../../analytics/ports';
import type { ResourceStore } from '../../platform/stores/ports';

export interface MeRoutesDeps {
  clients: ResourceStore<Client>;
  notifications: UserNotifications;
  clock: Clock;
}

const tag = 'me';
// Only a user's JWT has this role: API keys, even admin ones, get 403 (auth.ts hasRole).
const role = 'user';
const preferencesResponse = { description: "The user's preferences", schema: PreferencesSchema };

/** The caller's client id: the JWT subject (the guard ran, so a principal is there). */
function me(ctx: ApiContext): string {
  const principal = ctx.state.principal;
  if (!principal) throw new VestnikError('UNAUTHORIZED', 'missing bearer token');
  ctx.state.logFields.clientId = principal.id;
  return principal.id;
}

async function loadMe(deps: MeRoutesDeps, ctx: ApiContext): Promise<Client> {
  const id = me(ctx);
  const client = await deps.clients.get(id);
  if (!client) throw notFound('client', id);
  return client;
}

/** The stored preferences of a PUT body; absent channel switches are left out (not opted out). */
export function toPreferences(body: PreferencesBody): Preferences {
  const channels = Object.fromEntries(Object.entries(body.channels).filter(([, on]) => on !== undefined)) as Record<string, boolean>;
  return { promo: body.promo, channels, quietHours: body.quietHours };
}

/** Mounts the users' own routes (role user, i.e. a JWT whose subject is the client id). */
export function mountMeRoutes(target: RouteTarget, deps: MeRoutesDeps): void {
  for (const mount of [listMyNotifications, getMyPreferences, putMyPreferences]) mount(target, deps);
}

function listMyNotifications(target: RouteTarget, deps: MeRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/me/notifications', summary: "The caller's own messages, newest first", tag, role,
    query: MyNotificationsQuery,
    responses: { 200: { description: 'A page of deliveries with their latest status', schema: MyNotificationPageSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    ctx.body = await deps.notifications.list(me(ctx), { limit: query.limit, cursor: query.cursor });
  });
}

function getMyPreferences(target: RouteTarget, deps: MeRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/me/preferences', summary: "The caller's message preferences", tag, role,
    responses: { 200: preferencesResponse, 404: { description: 'The caller is not a known client' } },
  } as const;
  mountRoute(target, spec, async (ctx) => {
    ctx.body = (await loadMe(deps, ctx)).preferences;
  });
}

function putMyPreferences(target: RouteTarget, deps: MeRoutesDeps): void {
  const spec = {
    method: 'put', path: '/api/me/preferences', summary: "Replace the caller's preferences (promo opt-out, channels, quiet hours)",
    tag, role, body: PreferencesBodySchema,
    responses: { 200: preferencesResponse, 404: { description: 'The caller is not a known client' } },
  } as const;
  mountRoute(target, spec, async (ctx, { body }) => {
    const client = await loadMe(deps, ctx);
    const preferences = toPreferences(body);
    // Only the preferences change, on the record as it is under the store's lock (a concurrent token
    // cleanup survives); resolves once the directory view (what fan-outs read) shows it.
    const updated = await deps.clients.update(client.id, (current) => (current ? { ...current, preferences, updatedAt: deps.clock.now() } : undefined));
    if (!updated.value) throw notFound('client', client.id);
    ctx.body = preferences;
  });
}
