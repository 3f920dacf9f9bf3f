import Koa from 'koa';
import request from 'supertest';
import { silentLogger } from '../../platform/logger';
import { activeTraceId } from '../../platform/tracing/active';
import { parseTraceparent } from '../../platform/tracing/propagation';
import { startTracing, type Tracing } from '../../platform/tracing/tracer';
import type { ApiState } from '../http/context';
import { traceContext } from './trace-context';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ serviceName: 'unit', sampleRatio: 1, logger: silentLogger });
});
afterAll(() => tracing.shutdown());

/** An app whose only route answers with the trace id it runs in. */
function app() {
  const koa = new Koa<ApiState>();
  koa.use(traceContext());
  koa.use(async (ctx) => {
    await new Promise((resolve) => setImmediate(resolve));
    ctx.body = { traceId: activeTraceId() ?? null };
  });
  return koa.callback();
}

describe('the API continues the caller trace or begins one', () => {
  it('continues a valid traceparent: same trace id inside and in the response, a span of its own', async () => {
    const response = await request(app()).get('/x').set('traceparent', INCOMING);
    expect(response.body.traceId).toBe(TRACE_ID);
    const answered = parseTraceparent(response.headers.traceparent as string);
    expect(answered?.traceId).toBe(TRACE_ID);
    expect(answered?.spanId).not.toBe('00f067aa0ba902b7');
  });

  it.each([['absent', undefined], ['malformed', '00-xyz-1-01'], ['all-zero', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`]])(
    'begins a new trace when the header is %s', async (_name, header) => {
      const call = request(app()).get('/x');
      const response = header === undefined ? await call : await call.set('traceparent', header);
      const answered = parseTraceparent(response.headers.traceparent as string);
      expect(answered?.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(answered?.traceId).not.toBe(TRACE_ID);
      expect(response.body.traceId).toBe(answered?.traceId);
    },
  );
});
