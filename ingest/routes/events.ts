import { VestnikError } from '../../platform/errors';
import type { ApiContext } from '../http/context';
import { invalidField } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { AcceptedSchema, EVENT_TYPES, EventBodySchema, EventType, EventTypeParams } from '../openapi/events';
import type { Clock, IdGenerator } from '../ports';
import type { RecurringNotifications } from '../../processors/scheduler/recurring-notifications';
import type { EventPublisher } from '../../platform/stores/ports';
import { IdParams } from '../openapi/paging';
import { notFound } from '../http/errors';
import type { Middleware } from 'koa';
import type { ApiState } from '../http/context';
import { IdempotencyHeaders } from '../middleware/idempotency';

export interface EventRoutesDeps {
  events: EventPublisher;
  recurring: RecurringNotifications;
  clock: Clock;
  newId: IdGenerator;
  /** Replays of POST /api/notifications with the same Idempotency-Key (ingest/middleware/idempotency.ts). */
  idempotency?: Middleware<ApiState>;
}

const tag = 'events';
const role = 'service';
const accepted = { 202: { description: 'Validated and published', schema: AcceptedSchema } };

const isEventType = (type: string): type is EventType => Object.prototype.hasOwnProperty.call(EVENT_TYPES, type);

/** Fills the event id, occurredAt and (for requests) requestedBy, then publishes under the key field. */
async function publish(deps: EventRoutesDeps, ctx: ApiContext, type: EventType, body: Record<string, unknown>): Promise<string> {
  const { topic, idField, keyField } = EVENT_TYPES[type];
  const event: Record<string, unknown> = { ...body };
  event[idField] ??= deps.newId();
  event.occurredAt ??= deps.clock.now();
  if (type === 'notification-requested') event.requestedBy ??= ctx.state.principal?.id ?? null;
  const key = event[keyField];
  if (typeof key !== 'string' || key === '') throw invalidField(keyField, 'required: a non-empty string');
  const id = String(event[idField]);
  ctx.state.logFields.eventId = id;
  await deps.events.publish(topic, key, event);
  return id;
}

/**
 * The "single window": any service posts a domain event in its JSON form; the publisher validates it
 * against the topic's Avro schema (VALIDATION_FAILED → 422 naming the fields) and produces it.
 */
export function mountEventRoutes(target: RouteTarget, deps: EventRoutesDeps): void {
  const eventSpec = {
    method: 'post', path: '/api/events/{type}', summary: 'Publish a domain event', tag, role,
    params: EventTypeParams, body: EventBodySchema, responses: accepted,
  } as const;
  mountRoute(target, eventSpec, async (ctx, { params, body }) => {
    if (!isEventType(params.type)) throw new VestnikError('NOT_FOUND', 'unknown event type', { details: { type: params.type } });
    ctx.status = 202;
    ctx.body = { id: await publish(deps, ctx, params.type, body) };
  });

  const notificationSpec = {
    method: 'post', path: '/api/notifications', summary: 'Request a templated notification (events.notification-requested)',
    // Console editors send notifications; the rest of event intake stays with services (and console admins).
    tag, role, console: 'editor', body: EventBodySchema, headers: IdempotencyHeaders, use: deps.idempotency ? [deps.idempotency] : [],
    responses: { ...accepted, 409: { description: 'A request with this Idempotency-Key is still in progress' } },
  } as const;
  mountRoute(target, notificationSpec, async (ctx, { body }) => {
    ctx.status = 202;
    ctx.body = { id: await publish(deps, ctx, 'notification-requested', body) };
  });

  const cancelSpec = {
    method: 'delete', path: '/api/notifications/{id}', summary: 'Cancel a recurring notification request (no further occurrences)',
    tag, role, console: 'editor', params: IdParams, responses: { 204: { description: 'Cancelled' } },
  } as const;
  mountRoute(target, cancelSpec, async (ctx, { params }) => {
    ctx.state.logFields.eventId = params.id;
    if (!(await deps.recurring.cancel(params.id))) throw notFound('recurring notification', params.id);
    ctx.status = 204;
  });
}
