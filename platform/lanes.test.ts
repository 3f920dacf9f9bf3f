import { VestnikError } from './errors';
import { parseLanes } from './lanes';

describe('parseLanes', () => {
  it('reads one lane, both, in any order and with spaces, in canonical order', () => {
    expect(parseLanes('express')).toEqual(['express']);
    expect(parseLanes('bulk')).toEqual(['bulk']);
    expect(parseLanes(' bulk , express ')).toEqual(['express', 'bulk']);
    expect(parseLanes('express,express')).toEqual(['express']);
  });

  it('rejects unknown and empty lists with a config error', () => {
    expect(() => parseLanes('express,fast')).toThrow(VestnikError);
    expect(() => parseLanes('express,fast')).toThrow(/LANES/);
    expect(() => parseLanes(' , ')).toThrow(/LANES/);
  });
});
