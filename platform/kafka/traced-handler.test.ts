import { silentLogger } from '../logger';
import { activeTraceId } from '../tracing/active';
import { startTracing, type Tracing } from '../tracing/tracer';
import { runTraced } from './traced-handler';
import type { DecodedRecord } from './types';

const A = '11111111111111111111111111111111';
const B = '22222222222222222222222222222222';
const tp = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ serviceName: 'unit', sampleRatio: 1, logger: silentLogger });
});
afterAll(() => tracing.shutdown());

function records(...traces: (string | undefined)[]): DecodedRecord<number>[] {
  return traces.map((traceId, i) => ({
    topic: 't', partition: 0, offset: String(i), key: null, value: i, timestamp: 0,
    headers: (traceId ? { traceparent: tp(traceId) } : {}) as Record<string, string>,
  }));
}

/** What the handler saw: each call's record values and the trace active during it. */
async function calls(batch: DecodedRecord<number>[], spanPerTrace?: string) {
  const seen: { values: (number | null)[]; traceId: string | undefined }[] = [];
  await runTraced(batch, { topic: 't', groupId: 'g', tracing: { spanPerTrace } }, async (given) => {
    await Promise.resolve();
    seen.push({ values: given.map((r) => r.value), traceId: activeTraceId() });
  });
  return seen;
}

describe('runTraced: a consumed record trace becomes the active one', () => {
  it('per batch (the default): one call, in the trace all records share', async () => {
    expect(await calls(records(A, A, A))).toEqual([{ values: [0, 1, 2], traceId: A }]);
  });

  it('per batch: a batch of several traces is still one call, in none of them', async () => {
    expect(await calls(records(A, B, A))).toEqual([{ values: [0, 1, 2], traceId: undefined }]);
    expect(await calls(records(undefined, undefined))).toEqual([{ values: [0, 1], traceId: undefined }]);
  });

  it('per event (spanPerTrace): one call per run of a trace, each inside a child span of it', async () => {
    const seen = await calls(records(A, A, B, A), 'fanout');
    expect(seen.map((c) => [c.values, c.traceId])).toEqual([[[0, 1], A], [[2], B], [[3], A]]);
  });

  it('per event: records without a trace begin a new one', async () => {
    const seen = await calls(records(undefined, undefined), 'fanout');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a handler error propagates (the batch policy decides what it means)', async () => {
    const failing = runTraced(records(A), { topic: 't', groupId: 'g', tracing: { spanPerTrace: 'x' } }, async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
  });
});
