// Notifications: the broadcast history (POST /api/notifications requests), newest first, with counts
// per channel and status.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, query } from '../lib/api.js';
import { formatCount, formatTime } from '../lib/format.js';
import { usePolled } from '../lib/poll.js';
import { LoadError, Loading } from '../components/notice.js';

const STATUSES = ['', 'scheduled', 'running', 'finished', 'cancelled'];

function Counts({ counts }) {
  const channels = Object.entries(counts);
  if (channels.length === 0) return html`<span class="muted">—</span>`;
  return html`<ul class="plain counts">${channels.map(([channel, byStatus]) => html`<li><strong>${channel}</strong>
    ${Object.entries(byStatus).map(([status, n]) => html` <span class=${`status status-${status}`}>${status} ${formatCount(n)}</span>`)}</li>`)}</ul>`;
}

export function NotificationsPage() {
  const [status, setStatus] = useState('');
  const [older, setOlder] = useState({ items: [], cursor: undefined });
  const first = usePolled(() => api('GET', `/api/notifications${query({ status, limit: 50 })}`), 15_000, [status]);
  const items = first.data ? [...first.data.items, ...older.items] : [];
  const next = older.cursor === undefined ? first.data?.nextCursor : older.cursor;
  const more = async () => {
    const page = await api('GET', `/api/notifications${query({ status, limit: 50, cursor: next })}`);
    setOlder((o) => ({ items: [...o.items, ...page.items], cursor: page.nextCursor }));
  };
  const choose = (event) => { setOlder({ items: [], cursor: undefined }); setStatus(event.currentTarget.value); };
  return html`
    <h1 tabindex="-1">Notifications</h1>
    <div class="toolbar">
      <label for="n-status">Status</label>
      <select id="n-status" value=${status} onChange=${choose}>${STATUSES.map((s) => html`<option value=${s}>${s || 'any'}</option>`)}</select>
    </div>
    <${LoadError} error=${first.error} />
    ${!first.data ? html`<${Loading} />` : html`
      <table aria-label="Notifications">
        <thead><tr><th scope="col">Requested</th><th scope="col">Template</th><th scope="col">Status</th><th scope="col">Channels</th>
          <th scope="col" class="num">Total</th><th scope="col">Counts</th></tr></thead>
        <tbody>${items.map((n) => html`<tr>
          <td>${formatTime(n.createdAt)}${n.recurrence ? html`<div class="muted">every ${n.recurrence.cron} (${n.recurrence.timezone})</div>` : null}</td>
          <td><a href=${`#/templates/${encodeURIComponent(n.templateId)}`}>${n.templateId}</a></td>
          <td><span class=${`status status-${n.status}`}>${n.status}</span></td><td>${n.channels.join(', ')}</td>
          <td class="num">${n.total === null ? '…' : formatCount(n.total)}</td><td><${Counts} counts=${n.counts} /></td>
        </tr>`)}</tbody>
      </table>
      ${items.length === 0 ? html`<p class="muted">No notifications${status ? ` with status ${status}` : ''}.</p>` : null}
      ${next ? html`<button type="button" onClick=${more}>Show older</button>` : null}`}`;
}
