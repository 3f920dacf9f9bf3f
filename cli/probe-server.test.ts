import { readinessOf } from './probe-server';

const up = (name: string) => ({ name, check: async () => undefined });
const down = (name: string) => ({ name, check: async () => { throw new Error('ECONNREFUSED 10.0.0.1:6379'); } });
const part = (name: string, ready: boolean) => ({ name, ready: () => ready });

describe('readinessOf', () => {
  it('is ready when every part is ready and every dependency answers', async () => {
    expect(await readinessOf([part('senders-bulk', true)], [up('kafka'), up('redis')], 100)).toEqual({
      status: 'ok', parts: { 'senders-bulk': 'up' }, checks: { kafka: 'up', redis: 'up' },
    });
  });

  it.each([
    ['a consumer that has not joined its group', [part('senders-bulk', false)], [up('kafka')]],
    ['a dependency that does not answer', [part('senders-bulk', true)], [down('redis')]],
  ])('is not ready with %s, and says which without error text', async (_case, parts, checks) => {
    const view = await readinessOf(parts, checks, 100);
    expect(view.status).toBe('down');
    expect(JSON.stringify(view)).not.toMatch(/ECONNREFUSED|10\.0\.0\.1/);
  });

  it('a process with no parts that report readiness is ready on its dependencies alone', async () => {
    expect((await readinessOf([], [up('kafka')], 100)).status).toBe('ok');
  });
});
