import { z } from 'zod';
import { VestnikError, errorCode, isRetriable } from '../errors';
import { instantProblem, invalidRecord, zodProblems } from './invalid-record';

describe('invalidRecord', () => {
  it('is a permanent VALIDATION_FAILED naming every problem', () => {
    const error = invalidRecord('client c1', ['phone: bad', 'timezone: unknown']);
    expect(error).toBeInstanceOf(VestnikError);
    expect(errorCode(error)).toBe('VALIDATION_FAILED');
    expect(isRetriable(error)).toBe(false);
    expect(error.message).toBe('client c1 is invalid: phone: bad; timezone: unknown');
  });
});

describe('zodProblems', () => {
  const schema = z.strictObject({ phone: z.string().regex(/^7\d{10}$/, 'expected 7 followed by 10 digits'), tags: z.array(z.string().min(1)) });

  it('is empty for a valid value', () => {
    expect(zodProblems(schema, { phone: '79001234567', tags: ['a'] })).toEqual([]);
  });

  it('names each failing path, and unknown fields', () => {
    expect(zodProblems(schema, { phone: 'abc', tags: [''], extra: 1 })).toEqual(expect.arrayContaining([
      'phone: expected 7 followed by 10 digits', expect.stringMatching(/^tags\.0: /), 'extra: unknown field',
    ]));
  });

  it('names the record itself when the value is not even the right type', () => {
    expect(zodProblems(z.string(), 5)).toEqual([expect.stringMatching(/^\(record\): /)]);
  });
});

describe('instantProblem', () => {
  it.each([[0], [1_700_000_000_000], [null]])('accepts %p', (value) => {
    expect(instantProblem('at', value)).toEqual([]);
  });
  it.each([[-1], [2 ** 32 * 1000], [1.5]])('refuses %p', (value) => {
    expect(instantProblem('at', value)).toEqual([`at: not a time (${value})`]);
  });
});
