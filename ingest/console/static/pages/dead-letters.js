// Dead letters: records the pipeline could not process, per topic, with the reason and the payload where
// it decodes; replay one or all of a topic after the cause is fixed (each is processed at most once).
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, query } from '../lib/api.js';
import { formatTime } from '../lib/format.js';
import { usePolled } from '../lib/poll.js';
import { can } from '../lib/session.js';
import { LoadError, Loading } from '../components/notice.js';

export function DeadLettersPage({ session }) {
  const [topic, setTopic] = useState('');
  const [result, setResult] = useState(null);
  const list = usePolled(() => api('GET', `/api/dead-letters${query({ topic, limit: 100 })}`), 15_000, [topic]);
  const editor = can(session, 'editor');
  const topics = list.data ? [...new Set(list.data.items.map((d) => d.originalTopic))].sort() : [];
  const replay = async (label, run) => {
    try {
      setResult({ ok: true, text: `${label}: ${await run()}` });
      list.refresh();
    } catch (failure) {
      setResult({ ok: false, text: failure.message });
    }
  };
  const one = (d) => replay(`Dead letter ${d.id}`, async () => ((await api('POST', `/api/dead-letters/${encodeURIComponent(d.id)}/replay`)).alreadyReplayed ? 'was already replayed; nothing sent again' : 'replayed'));
  const all = () => replay(`Topic ${topic}`, async () => {
    const { items } = await api('POST', `/api/dead-letters/replay${query({ topic })}`);
    return `${items.filter((i) => !i.alreadyReplayed).length} replayed, ${items.filter((i) => i.alreadyReplayed).length} already replayed before`;
  });
  return html`
    <h1 tabindex="-1">Dead letters</h1>
    <div class="toolbar">
      <label for="dl-topic">Topic</label>
      <input id="dl-topic" list="dl-topics" value=${topic} onChange=${(e) => setTopic(e.currentTarget.value.trim())} placeholder="all topics" />
      <datalist id="dl-topics">${topics.map((t) => html`<option value=${t} />`)}</datalist>
      ${editor && topic ? html`<button type="button" onClick=${all}>Replay all of ${topic}</button>` : null}
      ${result ? html`<span role=${result.ok ? 'status' : 'alert'} class=${result.ok ? 'ok' : 'form-error'}>${result.text}</span>` : null}
    </div>
    <${LoadError} error=${list.error} />
    ${!list.data ? (list.error ? null : html`<${Loading} />`) : html`
      ${list.data.items.length === 0 ? html`<p class="muted">No dead letters${topic ? ` on ${topic}` : ''}.</p>` : null}
      <ul class="plain dead-letters">${list.data.items.map((d) => html`<li class="card" data-dead-letter=${d.id}>
        <p><strong>${d.originalTopic}</strong> partition ${d.partition}, offset ${d.offset} · ${formatTime(d.failedAt)} · group ${d.consumerGroup}</p>
        <p><span class="status status-failed">${d.reasonCode}</span> <span class="reason">${d.reason}</span> (after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'})</p>
        <details><summary>Payload${d.value === null ? ' (does not decode)' : ''}</summary>
          <pre>${d.value === null ? '—' : JSON.stringify(d.value, null, 2)}</pre></details>
        ${d.replayed ? html`<p class="muted">Replayed.</p>` : editor ? html`<button type="button" onClick=${() => one(d)}>Replay</button>` : null}
      </li>`)}</ul>`}`;
}
