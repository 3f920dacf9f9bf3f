import { TraceFlags, type Context } from '@opentelemetry/api';
import { withContext } from '../../platform/tracing/active';
import { extractTrace, onlyTraceHeaders, spanContextOf, TRACEPARENT, type RecordHeaders } from '../../platform/tracing/propagation';
import { inSpan, SpanKind } from '../../platform/tracing/tracer';
import type { DeliveryCommand } from '../../schemas/types';

/** Each command's trace headers, by delivery id, as its record carried them. */
export type CommandTraces = ReadonlyMap<string, RecordHeaders>;

/** The commands of one record (one command, or a page of them) and the record's headers. */
export interface RecordCommands {
  headers: RecordHeaders;
  commands: readonly DeliveryCommand[];
}

/**
 * The trace headers of a batch's command records, by delivery id: every command of a page has its page's.
 * The records' own header objects, not copies.
 */
export function commandTracesOf(records: readonly RecordCommands[]): Map<string, RecordHeaders> {
  const traces = new Map<string, RecordHeaders>();
  for (const record of records) {
    const headers = onlyTraceHeaders(record.headers);
    if (!headers) continue;
    for (const command of record.commands) traces.set(command.deliveryId, headers);
  }
  return traces;
}

/**
 * Runs each provider call inside its command's trace, so the request carries that `traceparent`
 * (senders/policy/provider-http.ts, the email's header) and the channel's log lines its trace id.
 *
 * Spans: in the express lane, one per message (`send <channel>`), since there a message is the unit a
 * person waits for. In the bulk lane a message gets its own span only when its trace is sampled: a
 * mailing's million commands share one trace, and a span each would cost more than the send itself when
 * nobody records them; the call then runs in the command's context as it came (the fan-out's span).
 * The contexts are parsed once per distinct `traceparent` in the chunk: a bulk chunk is usually one.
 */
export function createCommandTraceScope(traces: CommandTraces | undefined, options: { perMessageSpans: boolean }) {
  const contexts = new Map<string, Context>();
  const contextOf = (headers: RecordHeaders): Context => {
    const key = headers[TRACEPARENT] ?? '';
    let ctx = contexts.get(key);
    if (!ctx) {
      ctx = extractTrace(headers);
      contexts.set(key, ctx);
    }
    return ctx;
  };
  return {
    /** Runs `send` in the command's trace (see above). */
    run<T>(command: DeliveryCommand, send: () => Promise<T>): Promise<T> {
      const headers = traces?.get(command.deliveryId);
      if (!headers) return send();
      const parent = contextOf(headers);
      const sampled = ((spanContextOf(parent)?.traceFlags ?? 0) & TraceFlags.SAMPLED) !== 0;
      if (!options.perMessageSpans && !sampled) return withContext(parent, send);
      return inSpan(`send ${command.channel}`, parent, {
        kind: SpanKind.CLIENT, attributes: { 'vestnik.channel': command.channel, 'vestnik.attempt': command.attempt },
      }, send);
    },
    /** The headers a command's status is produced with: its command's, the same object. */
    headersOf: (deliveryId: string): RecordHeaders | undefined => traces?.get(deliveryId),
  };
}
