import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../logger';
import { withContext } from './active';
import { extractTrace } from './propagation';
import { inSpan, startTracing, type Tracing } from './tracer';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ serviceName: 'unit', sampleRatio: 1, logger: silentLogger });
});
afterAll(() => tracing.shutdown());

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

describe('every log line inside a trace carries its trace id', () => {
  it('lines of a child made before the trace began carry it; lines outside carry none', async () => {
    const { logger, lines } = capture();
    const moduleLog = logger.child({ module: 'early' });
    moduleLog.info('before');
    await withContext(extractTrace({ traceparent: TRACEPARENT }), async () => {
      await Promise.resolve();
      moduleLog.info({ deliveryId: 'd1' }, 'inside');
      logger.warn('root inside');
    });
    moduleLog.info('after');
    expect(lines.map((l) => [l.msg, l.trace_id])).toEqual([
      ['before', undefined], ['inside', TRACE_ID], ['root inside', TRACE_ID], ['after', undefined],
    ]);
    expect(lines[1]).toMatchObject({ module: 'early', deliveryId: 'd1' });
  });

  it('a span begun without a parent gives its lines a new trace id', async () => {
    const { logger, lines } = capture();
    await inSpan('root', extractTrace(undefined), {}, async (span) => {
      logger.info('in root span');
      expect(lines[0]?.trace_id).toBe(span.spanContext().traceId);
    });
    expect(lines[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
