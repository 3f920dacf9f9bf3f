import type { ClientDeliveryLog } from '../../analytics/ports';
import type { ResourceStore } from '../../platform/stores/ports';
import type { Client } from '../../schemas/types';
import { notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { ClientDeliveriesQuery, ClientDeliveryLogSchema } from '../openapi/console-reads';
import { IdParams } from '../openapi/paging';

/**
 * GET /api/clients/{id}/deliveries: one client's delivery log for operators, newest first, each delivery
 * with its status history. 404 for a client not in the directory (an erased client's rows are gone too).
 */
export function mountDeliveryLogRoute(target: RouteTarget, deps: { clients: ResourceStore<Client>; log: ClientDeliveryLog }): void {
  const spec = {
    method: 'get', path: '/api/clients/{id}/deliveries', summary: "A client's deliveries with their status history, newest first",
    tag: 'clients', role: 'admin', logIdAs: 'clientId', params: IdParams, query: ClientDeliveriesQuery,
    responses: { 200: { description: 'A page of deliveries', schema: ClientDeliveryLogSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { params, query }) => {
    if (!(await deps.clients.get(params.id))) throw notFound('client', params.id);
    ctx.body = await deps.log.list(params.id, { limit: query.limit, cursor: query.cursor });
  });
}
