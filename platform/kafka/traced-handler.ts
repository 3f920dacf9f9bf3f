import { extractTrace } from '../tracing/propagation';
import { withContext } from '../tracing/active';
import { traceRuns } from '../tracing/runs';
import { inSpan, SpanKind } from '../tracing/tracer';
import type { DecodedRecord } from './types';

/** How a consumer's handler meets the traces of the records it is given (BatchConsumerOptions.tracing). */
export interface HandlerTracing {
  /**
   * The stage name of a consumer whose work is per event (a fan-out): the batch is handed over in runs of
   * consecutive records of one trace, each in a span `process <topic>` that is a child of that trace,
   * so what the handler logs and produces for an event carries the event's trace. Without it, the
   * handler gets the whole batch once (per-batch work such as one ClickHouse insert stays per batch),
   * inside the batch's trace when all its records share one.
   */
  spanPerTrace?: string;
}

/**
 * Runs `handler` on a batch's records under the rule above. The records' `traceparent` headers are the
 * only thing read here: this is the one place a consumed record's trace becomes the active one.
 */
export async function runTraced<T>(
  records: DecodedRecord<T>[],
  meta: { topic: string; groupId: string; tracing?: HandlerTracing },
  handler: (records: DecodedRecord<T>[]) => Promise<void>,
): Promise<void> {
  const runs = traceRuns(records);
  const stage = meta.tracing?.spanPerTrace;
  if (!stage) {
    const only = runs.length === 1 ? runs[0] : undefined;
    if (!only?.headers) return handler(records);
    return withContext(extractTrace(only.headers), () => handler(records));
  }
  for (const run of runs) {
    // A record without a trace (a producer outside Vestnik, the scheduler's own events) begins one here.
    await inSpan(`process ${meta.topic}`, extractTrace(run.headers), {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka', 'messaging.destination.name': meta.topic, 'messaging.consumer.group.name': meta.groupId,
        'messaging.batch.message_count': run.records.length, 'vestnik.stage': stage,
      },
    }, () => handler(run.records));
  }
}
