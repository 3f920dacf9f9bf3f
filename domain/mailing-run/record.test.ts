import { clientIndexFor } from '../resources/stores';
import { effectiveMailingStatus } from './record';

describe('effectiveMailingStatus', () => {
  it.each([
    ['scheduled', null, 'scheduled'],
    ['scheduled', 'running', 'running'],
    ['scheduled', 'finished', 'finished'],
    ['cancelled', 'running', 'cancelled'],
    ['cancelled', null, 'cancelled'],
    ['scheduled', 'bogus', 'scheduled'],
  ] as const)('doc %s with run %s shows %s', (doc, run, shown) => {
    expect(effectiveMailingStatus(doc, run)).toBe(shown);
  });
});

describe('clientIndexFor', () => {
  it.each([
    [{}, null],
    [{ tag: 'vip' }, 'clients:tag:vip'],
    [{ operatorCode: '900' }, 'clients:op:900'],
    [{ tag: 'vip', operatorCode: '900' }, 'clients:op:900'],
    [{ tag: undefined, operatorCode: undefined }, null],
  ])('%j walks %s', (filter, key) => {
    expect(clientIndexFor(filter)).toBe(key);
  });
});
