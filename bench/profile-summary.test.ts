import { packageOf, summariseProfile } from './profile-summary';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('packageOf', () => {
  it('names the package, scoped or not, Vestnik folder, Node core or V8 entry a frame belongs to', () => {
    expect(packageOf('file:///w/node_modules/kafkajs/src/producer/index.js', 'send')).toBe('kafkajs');
    expect(packageOf('file:///w/node_modules/@clickhouse/client/dist/x.js', 'insert')).toBe('@clickhouse/client');
    expect(packageOf('file:///w/dist/processors/mailing-fanout/page.js', 'plan')).toBe('vestnik processors/');
    expect(packageOf('node:internal/streams/readable', 'read')).toBe('node (core)');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(packageOf('', 'encodeInto')).toBe('(native)');
  });
});

describe('summariseProfile', () => {
  it('shares busy time by package and function, leaving idle time out of the shares', () => {
    const summary = summariseProfile({
      startTime: 0, endTime: 10_000_000,
      nodes: [
        { id: 1, hitCount: 50, callFrame: frame('(idle)') },
        { id: 2, hitCount: 30, callFrame: frame('encode', 'file:///w/node_modules/avsc/lib/types.js', 9) },
        { id: 3, hitCount: 10, callFrame: frame('(garbage collector)') },
        { id: 4, hitCount: 10, callFrame: frame('plan', 'file:///w/dist/processors/page.js', 4) },
        { id: 5, callFrame: frame('(root)') },
      ],
    }, 'CPU.1.2.42.0.001.cpuprofile', 'bulk-processors');
    expect(summary.seconds).toBe(10);
    expect(summary.busyShare).toBe(0.5);
    expect(summary.byPackage).toEqual([
      { name: 'avsc', share: 0.6 }, { name: '(garbage collector)', share: 0.2 }, { name: 'vestnik processors/', share: 0.2 },
    ]);
    expect(summary.topFunctions[0]).toEqual({ name: 'encode avsc/lib/types.js:10', share: 0.6 });
  });
});
