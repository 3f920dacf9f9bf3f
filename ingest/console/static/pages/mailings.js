// Mailings: every mailing with its counts (from the statistics API), and a new-mailing form for editors.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { formatCount, formatTime } from '../lib/format.js';
import { go } from '../lib/router.js';
import { usePolled } from '../lib/poll.js';
import { can } from '../lib/session.js';
import { MailingForm } from '../components/mailing-form.js';
import { LoadError, Loading } from '../components/notice.js';

export function MailingsPage({ session }) {
  const [creating, setCreating] = useState(false);
  const list = usePolled(() => api('GET', '/api/stats/mailings'), 10_000, []);
  const newest = list.data ? [...list.data.items].sort((a, b) => Date.parse(b.startAt) - Date.parse(a.startAt)) : [];
  return html`
    <h1 tabindex="-1">Mailings</h1>
    ${can(session, 'editor') ? html`<div class="toolbar">
      <button type="button" aria-expanded=${creating} onClick=${() => setCreating(!creating)}>${creating ? 'Close the form' : 'New mailing'}</button>
    </div>` : null}
    ${creating ? html`<section><h2>New mailing</h2><${MailingForm} onCreated=${(m) => go('mailings', m.id)} /></section>` : null}
    <${LoadError} error=${list.error} />
    ${!list.data ? html`<${Loading} />` : html`
      <table aria-label="Mailings">
        <thead><tr><th scope="col">Mailing</th><th scope="col">Status</th><th scope="col">Start</th><th scope="col">End</th>
          <th scope="col" class="num">Total</th><th scope="col" class="num">Sent</th><th scope="col" class="num">Failed</th></tr></thead>
        <tbody>${newest.map((m) => html`<tr>
          <td><a href=${`#/mailings/${encodeURIComponent(m.id)}`}>${m.id}</a></td><td><span class=${`status status-${m.status}`}>${m.status}</span></td>
          <td>${formatTime(m.startAt)}</td><td>${formatTime(m.endAt)}</td><td class="num">${formatCount(m.total)}</td>
          <td class="num">${formatCount(m.byStatus.sent || 0)}</td><td class="num">${formatCount(m.byStatus.failed || 0)}</td>
        </tr>`)}</tbody>
      </table>
      ${newest.length === 0 ? html`<p class="muted">No mailings yet.</p>` : null}`}`;
}
