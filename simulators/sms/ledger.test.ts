import { createLedger } from './ledger';

const message = { phone: 79001234567, text: 'hi' };

describe('createLedger', () => {
  it('counts the first acceptance of a msgId as accepted and later ones as duplicates', () => {
    const ledger = createLedger();
    expect(ledger.accept(1, message, 10)).toBe(false);
    expect(ledger.accept(2, message, 11)).toBe(false);
    expect(ledger.accept(1, message, 12)).toBe(true);
    expect(ledger.accept(1, message, 13)).toBe(true);
    const stats = ledger.snapshot();
    expect(stats).toMatchObject({ acceptedMessages: 2, duplicateAccepts: 2, duplicateMsgIds: [1] });
    expect(ledger.message(1)).toMatchObject({ accepted: 3, phone: 79001234567, text: 'hi', firstAcceptedAt: 10 });
  });

  it('tracks in-flight requests and their high-water mark', () => {
    const ledger = createLedger();
    ledger.requestStarted();
    ledger.requestStarted();
    ledger.requestEnded();
    ledger.requestStarted();
    expect(ledger.snapshot()).toMatchObject({ requests: 3, inFlight: 2, maxInFlight: 2 });
  });

  it('counts requests per msgId apart from acceptances', () => {
    const ledger = createLedger();
    ledger.requestFor(5);
    ledger.requestFor(5);
    ledger.record('server-error');
    ledger.accept(5, message, 1);
    expect(ledger.message(5)).toMatchObject({ requests: 2, accepted: 1 });
    expect(ledger.snapshot().outcomes).toMatchObject({ 'server-error': 1, accepted: 1, duplicate: 0 });
    expect(ledger.message(6)).toBeUndefined();
  });

  it('reset forgets everything but requests still in flight', () => {
    const ledger = createLedger();
    ledger.requestStarted();
    ledger.accept(1, message, 1);
    ledger.reset();
    expect(ledger.snapshot()).toMatchObject({ requests: 0, inFlight: 1, maxInFlight: 1, acceptedMessages: 0 });
    expect(ledger.message(1)).toBeUndefined();
  });

  it('hands out copies, not its own records', () => {
    const ledger = createLedger();
    ledger.accept(1, message, 1);
    const record = ledger.message(1)!;
    record.accepted = 99;
    expect(ledger.message(1)?.accepted).toBe(1);
  });
});
