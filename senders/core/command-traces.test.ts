import { silentLogger } from '../../platform/logger';
import { activeContext, activeTraceId } from '../../platform/tracing/active';
import { traceHeadersOf } from '../../platform/tracing/propagation';
import { startTracing, type Tracing } from '../../platform/tracing/tracer';
import type { DeliveryCommand } from '../../schemas/types';
import { commandTracesOf, createCommandTraceScope } from './command-traces';

const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const PARENT_SPAN = '00f067aa0ba902b7';
const tp = (traceId: string, flags = '00') => `00-${traceId}-${PARENT_SPAN}-${flags}`;

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ serviceName: 'unit', sampleRatio: 1, logger: silentLogger });
});
afterAll(() => tracing.shutdown());

const command = (deliveryId: string) => ({ deliveryId, channel: 'sms', attempt: 1 }) as DeliveryCommand;
const record = (deliveryId: string, headers: Record<string, string>) => ({ commands: [command(deliveryId)], headers });

/** The traceparent a provider call made inside the scope would send. */
async function sentTraceparent(scope: ReturnType<typeof createCommandTraceScope>, deliveryId: string) {
  return scope.run(command(deliveryId), async () => ({ traceId: activeTraceId(), header: traceHeadersOf(activeContext())?.traceparent }));
}

describe('a command trace reaches its provider call and its status', () => {
  const headers = { traceparent: tp(A) };
  const traces = commandTracesOf([record('d1', headers), record('d2', {})]);

  it('keeps each command record headers by delivery id (the same object), none for a command without', () => {
    expect(traces.get('d1')).toBe(headers);
    expect(traces.has('d2')).toBe(false);
  });

  it('gives every command of a page record the page record headers', () => {
    const page = commandTracesOf([{ commands: [command('p1'), command('p2')], headers }]);
    expect(page.get('p1')).toBe(headers);
    expect(page.get('p2')).toBe(headers);
  });

  it('bulk, not sampled: the call runs in the command context as it came, no span of its own', async () => {
    const scope = createCommandTraceScope(traces, { perMessageSpans: false });
    expect(await sentTraceparent(scope, 'd1')).toEqual({ traceId: A, header: tp(A) });
    expect(scope.headersOf('d1')).toBe(headers);
  });

  it('express: a span per message, child of the command trace', async () => {
    const scope = createCommandTraceScope(traces, { perMessageSpans: true });
    const sent = await sentTraceparent(scope, 'd1');
    expect(sent.traceId).toBe(A);
    expect(sent.header).toMatch(new RegExp(`^00-${A}-(?!${PARENT_SPAN})[0-9a-f]{16}-0[01]$`));
  });

  it('bulk but sampled: a span of its own too', async () => {
    const sampled = commandTracesOf([record('d3', { traceparent: tp(A, '01') })]);
    const sent = await sentTraceparent(createCommandTraceScope(sampled, { perMessageSpans: false }), 'd3');
    expect(sent.header).not.toBe(tp(A, '01'));
    expect(sent.traceId).toBe(A);
  });

  it('a command without a trace runs outside any', async () => {
    expect(await sentTraceparent(createCommandTraceScope(traces, { perMessageSpans: true }), 'd2')).toEqual({ traceId: undefined, header: undefined });
  });
});
