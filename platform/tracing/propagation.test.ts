import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { silentLogger } from '../logger';
import { activeTraceId, withContext } from './active';
import {
  extractTrace, formatTraceparent, onlyTraceHeaders, parseTraceparent, spanContextOf, traceHeadersOf,
} from './propagation';
import { traceRuns } from './runs';
import { inSpan, startSpan, startTracing, type Tracing } from './tracer';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

let tracing: Tracing;
beforeAll(() => {
  // No endpoint: ids only, nothing recorded or exported (the default of every process).
  tracing = startTracing({ serviceName: 'unit', sampleRatio: 1, logger: silentLogger });
});
afterAll(() => tracing.shutdown());

describe('traceparent parse and format', () => {
  it('formats a context\'s headers once: the same context gives the same object, another its own', () => {
    const ctx = extractTrace({ traceparent: VALID });
    const headers = traceHeadersOf(ctx);
    expect(headers).toEqual({ traceparent: VALID });
    expect(traceHeadersOf(ctx)).toBe(headers);
    const other = extractTrace({ traceparent: `00-${TRACE_ID}-${'1'.repeat(16)}-01` });
    expect(traceHeadersOf(other)).toEqual({ traceparent: `00-${TRACE_ID}-${'1'.repeat(16)}-01` });
  });

  it('parses a valid header into its ids and flags, and formats it back unchanged', () => {
    const parsed = parseTraceparent(VALID);
    expect(parsed).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(formatTraceparent(parsed!)).toBe(VALID);
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['the forbidden version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['a short trace id', `00-${TRACE_ID.slice(2)}-${SPAN_ID}-01`],
    ['non-hex characters', `00-${TRACE_ID.slice(0, 31)}z-${SPAN_ID}-01`],
    ['an empty value', ''],
  ])('ignores %s: the context stays as it was', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(extractTrace({ traceparent: value })).toBe(ROOT_CONTEXT);
    expect(traceHeadersOf(extractTrace({ traceparent: value }))).toBeUndefined();
  });

  it('reads HTTP request headers too, where a value may be an array', () => {
    expect(spanContextOf(extractTrace({ traceparent: [VALID], host: 'x' }))?.traceId).toBe(TRACE_ID);
  });

  it('writes traceparent and tracestate back out of a context', () => {
    const ctx = extractTrace({ traceparent: VALID, tracestate: 'vendor=abc' });
    expect(traceHeadersOf(ctx)).toEqual({ traceparent: VALID, tracestate: 'vendor=abc' });
    expect(traceHeadersOf(ROOT_CONTEXT)).toBeUndefined();
  });
});

describe('spans continue a trace or begin one', () => {
  it('a header continues its trace: same trace id, a new span id, the caller as parent', async () => {
    const parent = extractTrace({ traceparent: VALID });
    const seen = await inSpan('child', parent, {}, async (span) => {
      expect(activeTraceId()).toBe(TRACE_ID);
      return span.spanContext();
    });
    expect(seen.traceId).toBe(TRACE_ID);
    expect(seen.spanId).not.toBe(SPAN_ID);
    expect(seen.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('no header (or an invalid one) begins a new trace, a different one each time', () => {
    const a = startSpan('root', extractTrace({})).spanContext();
    const b = startSpan('root', extractTrace({ traceparent: 'bogus' })).spanContext();
    for (const ids of [a, b]) expect(ids.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(a.traceId).not.toBe(b.traceId);
  });

  it('begins valid ids even with no tracer provider registered', async () => {
    await tracing.shutdown();
    try {
      expect(spanContextOf(trace.setSpan(ROOT_CONTEXT, startSpan('orphan', ROOT_CONTEXT)))).toBeDefined();
    } finally {
      tracing = startTracing({ serviceName: 'unit', sampleRatio: 1, logger: silentLogger });
    }
  });

  it('the active trace follows async calls and ends with its scope', async () => {
    await withContext(extractTrace({ traceparent: VALID }), async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(activeTraceId()).toBe(TRACE_ID);
    });
    expect(activeTraceId()).toBeUndefined();
  });
});

describe('record headers', () => {
  it('onlyTraceHeaders returns the same object when it holds only trace headers, else picks them', () => {
    const only = { traceparent: VALID };
    expect(onlyTraceHeaders(only)).toBe(only);
    expect(onlyTraceHeaders({ traceparent: VALID, other: 'x', tracestate: 'a=b' })).toEqual({ traceparent: VALID, tracestate: 'a=b' });
    expect(onlyTraceHeaders({ other: 'x' })).toBeUndefined();
    expect(onlyTraceHeaders({})).toBeUndefined();
  });

  it('traceRuns splits records into runs of one traceparent, in order', () => {
    const other = `00-${'a'.repeat(32)}-${SPAN_ID}-01`;
    const records = [VALID, VALID, undefined, other, VALID].map((tp, i) => ({ i, headers: (tp ? { traceparent: tp } : {}) as Record<string, string> }));
    const runs = traceRuns(records);
    expect(runs.map((r) => [r.traceparent, r.records.map((x) => x.i)])).toEqual([
      [VALID, [0, 1]], [undefined, [2]], [other, [3]], [VALID, [4]],
    ]);
    expect(runs[0]!.headers).toBe(records[0]!.headers);
    expect(runs[1]!.headers).toBeUndefined();
  });
});
