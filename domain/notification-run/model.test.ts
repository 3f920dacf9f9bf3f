import type { NotificationRequested } from '../../schemas/types';
import { occurrenceOf } from '../recurrence';
import {
  EMPTY_TALLY, addTally, decodeRunCursor, encodeRunCursor, fanoutFieldsOf, parentOfOccurrence, parseRun, runFieldsOf, tallyOf,
} from './model';

const request = (fields: Partial<NotificationRequested> = {}): NotificationRequested => ({
  requestId: 'r-1', occurredAt: 1_000, templateId: 't-1', userIds: ['c-1'], segmentTags: [], contextJson: '{}', priority: 'express',
  promo: true, channels: ['email', 'push'], notBefore: 5_000, expiresAt: 9_000, recurrence: null, requestedBy: 'key:abc', ...fields,
});

describe('tallyOf / addTally', () => {
  it('counts queued, suppressed and failed decisions; the total is every decision', () => {
    const page = tallyOf([{ status: 'queued' }, { status: 'queued' }, { status: 'suppressed' }, { status: 'failed' }]);
    expect(page).toEqual({ total: 4, queued: 2, suppressed: 1, failed: 1 });
    expect(addTally(page, tallyOf([{ status: 'queued' }]))).toEqual({ total: 5, queued: 3, suppressed: 1, failed: 1 });
    expect(tallyOf([])).toEqual(EMPTY_TALLY);
  });
});

describe('parentOfOccurrence', () => {
  it("finds the parent of scheduler/recurrence's occurrence ids", () => {
    const occurrence = occurrenceOf(request({ requestId: 'weekly-digest', recurrence: { cron: '* * * * *', timezone: 'UTC' } }), 1_700_000_000_000);
    expect(parentOfOccurrence(occurrence.requestId)).toEqual({ parentId: 'weekly-digest', fireAt: 1_700_000_000_000 });
  });

  it.each(['plain-id', 'a@', '@123', 'a@12x', 'mail@example.com'])('%s is not an occurrence', (id) => {
    expect(parentOfOccurrence(id)).toBeNull();
  });

  it('takes the last @ as the separator', () => {
    expect(parentOfOccurrence('a@b@42')).toEqual({ parentId: 'a@b', fireAt: 42 });
  });
});

describe('run fields', () => {
  it('round-trips a request through the hash fields', () => {
    const hash = { ...runFieldsOf(request(), null), ...fanoutFieldsOf({ total: 3, queued: 1, suppressed: 1, failed: 1 }), startedAt: '6000' };
    expect(parseRun(hash)).toEqual({
      id: 'r-1', status: 'scheduled', templateId: 't-1', priority: 'express', promo: true, channels: ['email', 'push'],
      notBefore: 5_000, expiresAt: 9_000, recurrence: null, requestedBy: 'key:abc', parentId: null, createdAt: 1_000,
      startedAt: 6_000, finishedAt: null, cancelledAt: null, fanoutDone: true, total: 3, suppressed: 1, failed: 1,
    });
  });

  it('keeps nulls, a recurrence and a parent', () => {
    const recurrence = { cron: '0 9 * * *', timezone: 'Europe/Moscow' };
    const run = parseRun(runFieldsOf(request({ notBefore: null, expiresAt: null, requestedBy: null, recurrence }), 'p-1'));
    expect(run).toMatchObject({ notBefore: null, expiresAt: null, requestedBy: null, recurrence, parentId: 'p-1', fanoutDone: false, total: null });
  });

  it('reads an empty hash (a missing key) as no run', () => {
    expect(parseRun({})).toBeNull();
  });
});

describe('run cursors', () => {
  it('round-trips and rejects what it did not make', () => {
    expect(decodeRunCursor(encodeRunCursor(1234, 'r@5'))).toEqual({ createdAt: 1234, id: 'r@5' });
    expect(decodeRunCursor('not-a-cursor')).toBeNull();
    expect(decodeRunCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeNull();
  });
});
