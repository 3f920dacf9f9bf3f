// One client: their fields (editable by editors, saved with If-Match so a concurrent change is not
// overwritten) and their delivery log: every message with its status history and reasons.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, query, request } from '../lib/api.js';
import { formatTime } from '../lib/format.js';
import { usePolled } from '../lib/poll.js';
import { can } from '../lib/session.js';
import { ClientForm } from '../components/client-form.js';
import { LoadError, Loading } from '../components/notice.js';

const sourceLink = (d) => (d.sourceType === 'mailing' ? html`<a href=${`#/mailings/${encodeURIComponent(d.sourceId)}`}>mailing ${d.sourceId}</a>` : `${d.sourceType} ${d.sourceId}`);

function DeliveryLog({ clientId }) {
  const [more, setMore] = useState([]);
  const [cursor, setCursor] = useState(undefined);
  const first = usePolled(() => api('GET', `/api/clients/${encodeURIComponent(clientId)}/deliveries${query({ limit: 50 })}`), 15_000, [clientId]);
  if (first.error) return html`<${LoadError} error=${first.error} />`;
  if (!first.data) return html`<${Loading} />`;
  const items = [...first.data.items, ...more];
  const next = cursor === undefined ? first.data.nextCursor : cursor;
  const loadMore = async () => {
    const page = await api('GET', `/api/clients/${encodeURIComponent(clientId)}/deliveries${query({ limit: 50, cursor: next })}`);
    setMore((m) => [...m, ...page.items]);
    setCursor(page.nextCursor);
  };
  if (items.length === 0) return html`<p class="muted">No messages to this client yet.</p>`;
  return html`
    <table class="delivery-log" aria-label="Delivery log">
      <thead><tr><th scope="col">Last change</th><th scope="col">Source</th><th scope="col">Channel</th><th scope="col">Status</th><th scope="col">History</th></tr></thead>
      <tbody>${items.map((d) => html`<tr data-delivery=${d.deliveryId}>
        <td>${formatTime(d.lastAt)}</td><td>${sourceLink(d)}</td><td>${d.channel}</td>
        <td><span class=${`status status-${d.status}`}>${d.status}</span>${d.reason ? html`<div class="reason">${d.reason}</div>` : null}</td>
        <td><ol class="history">${d.history.map((h) => html`<li><span class=${`status status-${h.status}`}>${h.status}</span> ${formatTime(h.at)}${h.attempt > 1 ? ` · attempt ${h.attempt}` : ''}${h.provider ? ` · via ${h.provider}` : ''}${h.reason ? html` — <span class="reason">${h.reason}</span>` : null}</li>`)}</ol></td>
      </tr>`)}</tbody>
    </table>
    ${next ? html`<button type="button" onClick=${loadMore}>Show older</button>` : null}`;
}

export function ClientPage({ id, session }) {
  // The record with its ETag: a save sends it back as If-Match, and keeps the one the API answers with.
  const [record, setRecord] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    request('GET', `/api/clients/${encodeURIComponent(id)}`).then(setRecord, setError);
  }, [id]);
  const save = async (body) => {
    setRecord(await request('PATCH', `/api/clients/${encodeURIComponent(id)}`, { body, ifMatch: record.etag }));
    setSaved(true);
  };
  return html`
    <p class="crumbs"><a href="#/clients">Clients</a></p>
    <h1 tabindex="-1">Client ${id}</h1>
    <${LoadError} error=${error} />
    ${!record ? (error ? null : html`<${Loading} />`) : html`
      <section>
        <h2>Details</h2>
        ${saved ? html`<p role="status" class="ok">Saved.</p>` : null}
        ${can(session, 'editor')
          ? html`<${ClientForm} client=${record.data} onSave=${save} submitLabel="Save changes" />`
          : html`<dl class="details">
              ${['name', 'phone', 'email', 'timezone', 'locale'].map((k) => html`<div><dt>${k}</dt><dd>${record.data[k] ?? '—'}</dd></div>`)}
              <div><dt>tags</dt><dd>${record.data.tags.join(', ') || '—'}</dd></div>
            </dl>`}
      </section>
      <section>
        <h2>Delivery log</h2>
        <${DeliveryLog} clientId=${id} />
      </section>`}`;
}
