import { VestnikError } from '../../platform/errors';
import type { EventPublisher, ResourceStore } from '../../platform/stores/ports';
import { TOPICS } from '../../platform/topics';
import type { Mailing, MailingResendRequested } from '../../schemas/types';
import { notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { AcceptedSchema } from '../openapi/events';
import { IdParams } from '../openapi/paging';
import type { Clock, IdGenerator } from '../ports';

export interface MailingResendRoutesDeps {
  mailings: ResourceStore<Mailing>;
  events: EventPublisher;
  clock: Clock;
  newId: IdGenerator;
}

/**
 * POST /api/mailings/{id}/resend (admin): asks the pipeline to re-send the mailing's finally failed
 * deliveries. The API only publishes events.mailing-resend-requested; the mailing fan-out finds the
 * failed deliveries in analytics and re-sends each once (processors/mailing-fanout/resend.ts), so calling
 * this twice re-sends nothing twice.
 */
export function mountMailingResendRoute(target: RouteTarget, deps: MailingResendRoutesDeps): void {
  const spec = {
    method: 'post', path: '/api/mailings/{id}/resend', summary: "Re-send the mailing's finally failed deliveries, once each",
    tag: 'mailings', role: 'admin', logIdAs: 'mailingId', params: IdParams,
    responses: {
      202: { description: 'Requested (events.mailing-resend-requested)', schema: AcceptedSchema },
      409: { description: 'The mailing has not started, is cancelled, or has ended' },
    },
  } as const;
  mountRoute(target, spec, async (ctx, { params }) => {
    const mailing = await deps.mailings.get(params.id);
    if (!mailing) throw notFound('mailing', params.id);
    const now = deps.clock.now();
    // Nothing is delivered outside [startAt, endAt) or once cancelled: a re-send then would only expire.
    if (mailing.status === 'scheduled' || mailing.status === 'cancelled' || now >= mailing.endAt) {
      throw new VestnikError('CONFLICT', 'only a started mailing before its end can re-send', {
        details: { status: mailing.status, endAt: new Date(mailing.endAt).toISOString() },
      });
    }
    const event: MailingResendRequested = {
      eventId: deps.newId(), occurredAt: now, mailingId: mailing.id, requestedBy: ctx.state.principal?.id ?? null,
    };
    ctx.state.logFields.eventId = event.eventId;
    await deps.events.publish(TOPICS.mailingResendRequested, mailing.id, event);
    ctx.status = 202;
    ctx.body = { id: event.eventId };
  });
}
