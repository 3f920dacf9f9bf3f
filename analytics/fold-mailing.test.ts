import { DEFAULT_FOLD_POLICY, whyNotFold } from './fold-mailing';

describe('whyNotFold: whether merging a finished mailing\'s partition pays', () => {
  const policy = { minMessages: 1000, maxPartitionRowsPerMessage: 8 };

  it('folds a large mailing that is a fair share of its partition', () => {
    expect(whyNotFold({ messages: 1000, partitionRows: 2000 }, policy)).toBeNull();
    expect(whyNotFold({ messages: 1000, partitionRows: 8000 }, policy)).toBeNull(); // the bound itself still pays
  });

  it('leaves a small mailing alone, however empty its partition', () => {
    expect(whyNotFold({ messages: 999, partitionRows: 1998 }, policy)).toBe('999 messages, fewer than 1000');
  });

  it('leaves alone a mailing whose partition is mostly other mailings\' rows', () => {
    expect(whyNotFold({ messages: 1000, partitionRows: 8001 }, policy)).toBe('its partition holds 8001 rows, more than 8 per message');
  });

  it('by default folds a million-message mailing alone in its partition, not a thousand-message one', () => {
    expect(whyNotFold({ messages: 1_000_000, partitionRows: 2_000_000 })).toBeNull();
    expect(whyNotFold({ messages: 1000, partitionRows: 2000 })).not.toBeNull();
    expect(DEFAULT_FOLD_POLICY.minMessages).toBeGreaterThan(1000);
  });
});
