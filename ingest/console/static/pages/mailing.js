// One mailing: its settings, a progress bar that follows it while it runs, sends per minute, the failed
// messages with their reasons, and the actions: start now, cancel, resend failed (editors).
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, query } from '../lib/api.js';
import { formatCount, formatTime } from '../lib/format.js';
import { usePolled } from '../lib/poll.js';
import { can } from '../lib/session.js';
import { MinuteChart } from '../components/chart.js';
import { LoadError, Loading } from '../components/notice.js';
import { ProgressBar } from '../components/progress.js';

// While a mailing runs its numbers move every second; afterwards a resend can still move them, slower.
const LIVE_MS = 2_000;
const CHART_MS = 5_000;
const SETTLED_MS = 10_000;
const path = (id) => `/api/mailings/${encodeURIComponent(id)}`;

function Actions({ mailing, stats, onChange }) {
  const [error, setError] = useState(null);
  const [note, setNote] = useState(null);
  const act = (label, run) => async () => {
    try {
      await run();
      setError(null);
      setNote(label);
      onChange();
    } catch (failure) {
      setError(failure);
    }
  };
  const live = mailing.status === 'scheduled' || mailing.status === 'running';
  const failed = stats ? stats.byStatus.failed || 0 : 0;
  return html`<div class="toolbar" role="group" aria-label="Actions">
    ${mailing.status === 'scheduled' ? html`<button type="button" onClick=${act('Started.', () => api('PATCH', path(mailing.id), { startAt: new Date().toISOString() }))}>Start now</button>` : null}
    ${live ? html`<button type="button" class="danger" onClick=${act('Cancelled: nothing more is sent.', () => api('POST', `${path(mailing.id)}/cancel`))}>Cancel mailing</button>` : null}
    ${(mailing.status === 'running' || mailing.status === 'finished') && Date.now() < Date.parse(mailing.endAt) && failed > 0
      ? html`<button type="button" onClick=${act(`Re-sending ${failed} failed messages, once each.`, () => api('POST', `${path(mailing.id)}/resend`))}>Resend ${formatCount(failed)} failed</button>` : null}
    ${note ? html`<span role="status" class="ok">${note}</span>` : null}
    ${error ? html`<span role="alert" class="form-error">${error.message}</span>` : null}
  </div>`;
}

function FailedMessages({ id, failedCount }) {
  // Refetched when the failed count changes, not on every tick.
  const failed = usePolled(() => api('GET', `/api/stats/mailings/${encodeURIComponent(id)}${query({ status: 'failed', limit: 100 })}`), 0, [id, failedCount]);
  if (failedCount === 0) return html`<p class="muted">No failed messages.</p>`;
  if (!failed.data) return html`<${LoadError} error=${failed.error} />`;
  return html`<table aria-label="Failed messages">
    <thead><tr><th scope="col">Client</th><th scope="col">Channel</th><th scope="col" class="num">Attempts</th><th scope="col">Reason</th><th scope="col">Last attempt</th></tr></thead>
    <tbody>${failed.data.messages.map((m) => html`<tr>
      <td><a href=${`#/clients/${encodeURIComponent(m.clientId)}`}>${m.clientId}</a></td><td>${m.channel}</td><td class="num">${m.attempts}</td>
      <td class="reason">${m.lastError || '—'}</td><td>${formatTime(m.lastAt)}</td></tr>`)}</tbody>
  </table>
  ${failed.data.nextCursor ? html`<p class="muted">The first 100 of ${formatCount(failedCount)}.</p>` : null}`;
}

export function MailingPage({ id, session }) {
  const mailing = usePolled(() => api('GET', path(id)), CHART_MS, [id]);
  const live = !mailing.data || mailing.data.status === 'scheduled' || mailing.data.status === 'running';
  const stats = usePolled(() => api('GET', `/api/stats/mailings/${encodeURIComponent(id)}${query({ limit: 1 })}`), live ? LIVE_MS : SETTLED_MS, [id, live]);
  const chart = usePolled(() => api('GET', `/api/stats/overview${query({ range: 'hour', mailingId: id })}`), live ? CHART_MS : SETTLED_MS, [id, live]);
  const m = mailing.data;
  return html`
    <p class="crumbs"><a href="#/mailings">Mailings</a></p>
    <h1 tabindex="-1">Mailing ${id}</h1>
    <${LoadError} error=${mailing.error} />
    ${!m ? (mailing.error ? null : html`<${Loading} />`) : html`
      <dl class="details">
        <div><dt>Status</dt><dd><span class=${`status status-${m.status}`} id="mailing-status">${m.status}</span></dd></div>
        <div><dt>Channel</dt><dd>${m.channel}</dd></div>
        <div><dt>Content</dt><dd>${m.templateId ? html`template <a href=${`#/templates/${encodeURIComponent(m.templateId)}`}>${m.templateId}</a>` : m.text}</dd></div>
        <div><dt>Audience</dt><dd>tags ${m.filter.tags.join(', ') || 'any'}; operator codes ${m.filter.operatorCodes.join(', ') || 'any'}</dd></div>
        <div><dt>Window</dt><dd>${formatTime(m.startAt)} – ${formatTime(m.endAt)}${m.sendWindow ? `, daily ${m.sendWindow.from}–${m.sendWindow.to} local` : ''}</dd></div>
        <div><dt>Kind</dt><dd>${m.priority}${m.promo ? ', promotional' : ''}</dd></div>
      </dl>
      ${can(session, 'editor') ? html`<${Actions} mailing=${m} stats=${stats.data} onChange=${() => { mailing.refresh(); stats.refresh(); }} />` : null}
      <section aria-label="Progress">
        <h2>Progress</h2>
        <${LoadError} error=${stats.error} />
        ${stats.data ? html`<${ProgressBar} total=${stats.data.total} byStatus=${stats.data.byStatus} />` : html`<${Loading} />`}
      </section>
      <section>
        <h2>Sends per minute</h2>
        ${chart.data ? html`<${MinuteChart} title="This mailing, last hour" buckets=${chart.data.buckets}
          series=${{ sent: chart.data.byStatus.sent, failed: chart.data.byStatus.failed }} />` : html`<${LoadError} error=${chart.error} />`}
      </section>
      <section>
        <h2>Failed messages</h2>
        <${FailedMessages} id=${id} failedCount=${stats.data ? stats.data.byStatus.failed || 0 : 0} />
      </section>`}`;
}
