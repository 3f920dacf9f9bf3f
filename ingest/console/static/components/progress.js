// A mailing's progress: one bar, a segment per status, each as wide as its share of the total, with the
// numbers written out (a bar alone says nothing to a screen reader).
import { html } from '../lib/html.js';
import { formatCount, percent } from '../lib/format.js';

export const PROGRESS_STATUSES = ['sent', 'delivered', 'failed', 'expired', 'suppressed', 'queued', 'waiting', 'retrying', 'fallback'];

export function ProgressBar({ total, byStatus }) {
  const done = ['sent', 'delivered', 'failed', 'expired', 'suppressed', 'fallback'].reduce((n, s) => n + (byStatus[s] || 0), 0);
  const shown = PROGRESS_STATUSES.filter((s) => (byStatus[s] || 0) > 0);
  return html`<div class="progress">
    <div class="progress-bar" role="progressbar" aria-label="Final deliveries of the total" aria-valuemin="0"
      aria-valuemax=${total} aria-valuenow=${done} data-total=${total} data-done=${done}>
      ${shown.map((s) => html`<span class=${`seg seg-${s}`} style=${{ width: `${percent(byStatus[s], Math.max(total, 1))}%` }} title=${`${s}: ${byStatus[s]}`}></span>`)}
    </div>
    <dl class="progress-legend">
      <div><dt>total</dt><dd data-status="total">${formatCount(total)}</dd></div>
      ${PROGRESS_STATUSES.filter((s) => ['queued', 'sent', 'failed', 'expired', 'suppressed'].includes(s) || byStatus[s]).map((s) => html`
        <div><dt><span class=${`dot seg-${s}`}></span>${s}</dt><dd data-status=${s}>${formatCount(byStatus[s] || 0)}</dd></div>`)}
    </dl>
  </div>`;
}
