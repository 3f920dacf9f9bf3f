import type { TypedProducer } from '../../platform/kafka';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { MailingStarted } from '../../schemas/types';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { traceHeadersOf, type RecordHeaders } from '../../platform/tracing/propagation';
import { SpanKind, startSpan } from '../../platform/tracing/tracer';

/**
 * Emits events.mailing-started for every mailing whose start time has come. The schedule lives in Redis
 * (the view puts each scheduled mailing there), so it survives a restart of every process. The event is
 * produced before the entry is removed: a crash in between emits the same event id again, and the
 * fan-out's checkpoint makes that replay a no-op.
 */
const REMOVE_IF_SCORE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`;

export async function startDueMailings(deps: { redis: Redis; producer: TypedProducer; now: number; limit?: number }): Promise<number> {
  const due = await deps.redis.zrangebyscore(KEYS.mailingSchedule, '-inf', deps.now, 'WITHSCORES', 'LIMIT', 0, deps.limit ?? 100);
  const events: MailingStarted[] = [];
  for (let i = 0; i < due.length; i += 2) {
    const mailingId = due[i] as string;
    const startAt = Number(due[i + 1]);
    events.push({ eventId: `${mailingId}:${startAt}`, occurredAt: deps.now, mailingId, scheduledFor: startAt });
  }
  if (events.length === 0) return 0;
  await deps.producer.send(TOPICS.mailingStarted, events.map((event) => ({ key: event.mailingId, value: event, headers: newTrace(event) })));
  // Remove only the entries we started: a mailing re-scheduled meanwhile has a new score and stays.
  const pipeline = deps.redis.pipeline();
  for (const event of events) pipeline.eval(REMOVE_IF_SCORE, 1, KEYS.mailingSchedule, event.mailingId, event.scheduledFor);
  await pipeline.exec();
  return events.length;
}

/**
 * Each mailing's run is a trace of its own, begun here: its fan-out, every command, provider call and
 * status carry it (a tick that starts several mailings must not put them in one trace).
 */
function newTrace(event: MailingStarted): RecordHeaders | undefined {
  const span = startSpan('start mailing', ROOT_CONTEXT, { kind: SpanKind.PRODUCER, attributes: { 'vestnik.mailing_id': event.mailingId } });
  span.end();
  return traceHeadersOf(trace.setSpan(ROOT_CONTEXT, span));
}
