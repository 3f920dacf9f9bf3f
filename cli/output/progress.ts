/**
 * Progress of one long-running count (a mailing's deliveries, clients loaded, messages accepted), written
 * for whoever reads it (mode.ts): a live cli-progress bar on a terminal, a plain line every few seconds in
 * a log, or a JSON object per line for a script. Rate and ETA come from rate.ts, so every mode and the
 * bar agree on them.
 */
import { SingleBar } from 'cli-progress';
import type { OutputMode } from './mode';
import { createRateMeter, etaMs, formatCount, formatDuration, formatRate } from './rate';

export interface ProgressState {
  value: number;
  total: number;
  /** A short human note after the figures (`sent=10 failed=2`). */
  detail?: string;
  /** Extra fields for the JSON lines (a status, counts by status). */
  fields?: Record<string, unknown>;
}

export interface ProgressFigures extends ProgressState {
  perSecond: number | null;
  etaMs: number | null;
}

export interface ProgressView {
  update(state: ProgressState): void;
  /** Draws or writes the last state, whatever the throttle, and releases the terminal. */
  stop(state?: ProgressState): void;
}

export interface ProgressViewOptions {
  label: string;
  mode: OutputMode;
  stream?: NodeJS.WritableStream;
  /** lines and json modes: at most one line per this many ms (default 5 s); the first and last are always written. */
  lineEveryMs?: number;
  windowMs?: number;
  now?: () => number;
}

/** `label 120/300 (40%) 35/s ETA 5s detail`: the plain line of the lines mode. */
export function formatProgressLine(label: string, figures: ProgressFigures): string {
  const parts = [
    label, `${formatCount(figures.value)}/${formatCount(figures.total)}`, `(${percentOf(figures)}%)`,
    formatRate(figures.perSecond), `ETA ${formatDuration(figures.etaMs)}`,
  ];
  if (figures.detail) parts.push(figures.detail);
  return parts.join(' ');
}

/** The JSON line of the json mode: figures as numbers (seconds for the ETA), the state's fields after them. */
export function progressJson(label: string, figures: ProgressFigures): string {
  return JSON.stringify({
    label, value: figures.value, total: figures.total, percent: percentOf(figures),
    perSecond: figures.perSecond === null ? null : Math.round(figures.perSecond * 10) / 10,
    etaSeconds: figures.etaMs === null ? null : Math.round(figures.etaMs / 1000), ...figures.fields,
  });
}

function percentOf({ value, total }: { value: number; total: number }): number {
  return total > 0 ? Math.min(100, Math.floor((value * 100) / total)) : 0;
}

export function createProgressView(options: ProgressViewOptions): ProgressView {
  const stream = options.stream ?? process.stdout;
  const now = options.now ?? Date.now;
  const meter = createRateMeter(options.windowMs);
  const figuresOf = (state: ProgressState): ProgressFigures => {
    const perSecond = meter.perSecond();
    // Nothing queued yet (a mailing before its fan-out): no end to estimate.
    return { ...state, perSecond, etaMs: state.total === 0 ? null : etaMs(state.total - state.value, perSecond) };
  };
  if (options.mode === 'tty') return createBarView(options.label, stream, now, meter, figuresOf);

  const lineEveryMs = options.lineEveryMs ?? 5_000;
  let lastLineAt: number | null = null;
  let last: ProgressState | null = null;
  const write = (figures: ProgressFigures) => {
    stream.write(`${options.mode === 'json' ? progressJson(options.label, figures) : formatProgressLine(options.label, figures)}\n`);
  };
  return {
    update(state) {
      meter.add(now(), state.value);
      last = state;
      if (lastLineAt !== null && now() - lastLineAt < lineEveryMs) return;
      lastLineAt = now();
      write(figuresOf(state));
    },
    stop(state) {
      if (state) meter.add(now(), state.value);
      const final = state ?? last;
      if (final) write(figuresOf(final));
    },
  };
}

/** The terminal view: one bar redrawn in place (cli-progress), our rate and ETA as its payload. */
function createBarView(
  label: string, stream: NodeJS.WritableStream, now: () => number, meter: ReturnType<typeof createRateMeter>,
  figuresOf: (state: ProgressState) => ProgressFigures,
): ProgressView {
  const bar = new SingleBar({
    stream, hideCursor: true, barsize: 30, fps: 10, clearOnComplete: false, linewrap: false,
    format: `${label} [{bar}] {done}/{all} {percentage}% | {rate} | ETA {etaText} | {detail}`,
  });
  let started = false;
  const payload = (figures: ProgressFigures) => ({
    done: formatCount(figures.value), all: formatCount(figures.total), rate: formatRate(figures.perSecond),
    etaText: formatDuration(figures.etaMs), detail: figures.detail ?? '',
  });
  const draw = (state: ProgressState) => {
    const figures = figuresOf(state);
    // cli-progress needs a positive total for its percentage; a mailing not fanned out yet has none.
    const total = Math.max(state.total, 1);
    if (!started) {
      bar.start(total, state.value, payload(figures));
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(state.value, payload(figures));
    }
  };
  return {
    update(state) {
      meter.add(now(), state.value);
      draw(state);
    },
    stop(state) {
      if (state) {
        meter.add(now(), state.value);
        draw(state);
      }
      if (started) bar.stop();
    },
  };
}
