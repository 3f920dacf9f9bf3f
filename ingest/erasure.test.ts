import { VestnikError } from '../platform/errors';
import { silentLogger } from '../platform/logger';
import { createClientErasure } from './erasure';

describe('createClientErasure', () => {
  it('runs every eraser with the client id', async () => {
    const seen: string[] = [];
    const erase = createClientErasure([
      { name: 'a', erase: async (id) => void seen.push(`a:${id}`) },
      { name: 'b', erase: async (id) => void seen.push(`b:${id}`) },
    ], silentLogger);
    await erase('c-1');
    expect(seen.sort()).toEqual(['a:c-1', 'b:c-1']);
  });

  it('still runs the others when one fails, then fails retriably naming the failed ones', async () => {
    const seen: string[] = [];
    const erase = createClientErasure([
      { name: 'inbox', erase: async () => { throw new Error('redis down'); } },
      { name: 'links', erase: async (id) => void seen.push(id) },
    ], silentLogger);
    const error = await erase('c-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VestnikError);
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retriable: true, details: { failed: ['inbox'] } });
    expect(seen).toEqual(['c-1']);
  });
});
