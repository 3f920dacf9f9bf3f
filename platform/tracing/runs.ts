import { TRACEPARENT } from './propagation';

/** Consecutive records that carry the same `traceparent` (or none). */
export interface TraceRun<R> {
  traceparent: string | undefined;
  headers: Record<string, string> | undefined;
  records: R[];
}

/**
 * Splits records, in order, into runs of the same `traceparent`. A batch from one fan-out (a mailing's
 * commands, one request's pages) is one run; comparing the header strings is all it costs, so nothing
 * is parsed or allocated per record beyond the runs themselves.
 */
export function traceRuns<R extends { headers: Record<string, string> }>(records: readonly R[]): TraceRun<R>[] {
  const runs: TraceRun<R>[] = [];
  let current: TraceRun<R> | undefined;
  for (const record of records) {
    const traceparent = record.headers[TRACEPARENT];
    if (!current || current.traceparent !== traceparent) {
      current = { traceparent, headers: traceparent === undefined ? undefined : record.headers, records: [] };
      runs.push(current);
    }
    current.records.push(record);
  }
  return runs;
}
