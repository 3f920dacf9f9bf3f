import { Writable } from 'node:stream';
import { createProgressView, formatProgressLine, progressJson } from './progress';

/** A stream that keeps what was written, and is not a terminal. */
function memoryStream(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _encoding, done) { chunks.push(String(chunk)); done(); } });
  return Object.assign(stream, { text: () => chunks.join('') });
}

describe('progress lines', () => {
  it('formats count, percent, rate, ETA and the note', () => {
    expect(formatProgressLine('mailing 1a2b', { value: 1200, total: 5000, perSecond: 350, etaMs: 10_857, detail: 'running sent=1200' }))
      .toBe('mailing 1a2b 1,200/5,000 (24%) 350/s ETA 11s running sent=1200');
    expect(formatProgressLine('loading', { value: 0, total: 0, perSecond: null, etaMs: null })).toBe('loading 0/0 (0%) --/s ETA --');
  });

  it('writes JSON lines with numbers, seconds and the extra fields', () => {
    const line = progressJson('m', { value: 5, total: 10, perSecond: 2.345, etaMs: 2500, fields: { status: 'running' } });
    expect(JSON.parse(line)).toEqual({ label: 'm', value: 5, total: 10, percent: 50, perSecond: 2.3, etaSeconds: 3, status: 'running' });
  });

  it('in a log: the first line at once, then at most one per interval, and always the last', () => {
    let now = 0;
    const stream = memoryStream();
    const view = createProgressView({ label: 'sending', mode: 'lines', stream, lineEveryMs: 5000, now: () => now });
    for (const [at, value] of [[0, 0], [1000, 100], [2000, 200], [5000, 500], [6000, 600]] as const) {
      now = at;
      view.update({ value, total: 1000 });
    }
    now = 7000;
    view.stop({ value: 1000, total: 1000, detail: 'done' });
    expect(stream.text().split('\n').filter(Boolean)).toEqual([
      'sending 0/1,000 (0%) --/s ETA --',
      'sending 500/1,000 (50%) 100/s ETA 5s',
      'sending 1,000/1,000 (100%) 143/s ETA 0s done',
    ]);
    expect(stream.text()).not.toContain('\x1b');
  });

  it('has no ETA while nothing is queued', () => {
    const stream = memoryStream();
    let now = 0;
    const view = createProgressView({ label: 'm', mode: 'lines', stream, lineEveryMs: 0, now: () => now });
    view.update({ value: 0, total: 0 });
    now = 1000;
    view.update({ value: 0, total: 0 });
    expect(stream.text()).toBe('m 0/0 (0%) --/s ETA --\nm 0/0 (0%) 0.0/s ETA --\n');
  });

  it('json mode writes one object per line', () => {
    const stream = memoryStream();
    const view = createProgressView({ label: 'm', mode: 'json', stream, now: () => 0 });
    view.update({ value: 1, total: 2 });
    view.stop();
    const lines = stream.text().trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ label: 'm', value: 1, total: 2, percent: 50 });
  });
});
