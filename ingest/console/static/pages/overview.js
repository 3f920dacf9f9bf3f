// Overview: deliveries per minute by status and by channel over the last hour or day, the send rate,
// failures by reason, dead letters and consumer lag; refreshes by itself.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, query } from '../lib/api.js';
import { formatCount, formatRate, formatTime } from '../lib/format.js';
import { usePolled } from '../lib/poll.js';
import { MinuteChart } from '../components/chart.js';
import { LoadError, Loading } from '../components/notice.js';

const REFRESH_MS = 10_000;

export function OverviewPage() {
  const [range, setRange] = useState('hour');
  const { data, error } = usePolled(() => api('GET', `/api/stats/overview${query({ range })}`), REFRESH_MS, [range]);
  const totalLag = data ? data.lag.reduce((n, l) => n + l.lag, 0) : 0;
  return html`
    <h1 tabindex="-1">Overview</h1>
    <div class="toolbar" role="group" aria-label="Range">
      ${['hour', 'day'].map((r) => html`<button type="button" aria-pressed=${range === r} onClick=${() => setRange(r)}>Last ${r}</button>`)}
      ${data ? html`<span class="muted">Updated ${formatTime(data.to)} · refreshes every ${REFRESH_MS / 1000} s</span>` : null}
    </div>
    <${LoadError} error=${error} />
    ${!data ? html`<${Loading} />` : html`
      <section class="tiles" aria-label="Now">
        <div class="tile"><span class="tile-value" data-metric="send-rate">${formatRate(data.sendRatePerMinute)}</span><span>sends per minute (last 5 min)</span></div>
        <div class="tile"><span class="tile-value" data-metric="dead-letters">${formatCount(data.deadLetters.total)}</span><span>dead letters</span></div>
        <div class="tile"><span class="tile-value" data-metric="lag">${formatCount(totalLag)}</span><span>records waiting (consumer lag)</span></div>
      </section>
      <div class="charts">
        <${MinuteChart} title="Status changes per minute" buckets=${data.buckets} series=${data.byStatus} />
        <${MinuteChart} title="Sends per minute by channel" buckets=${data.buckets} series=${data.byChannel} />
      </div>
      <section>
        <h2>Failures by reason</h2>
        ${data.failuresByReason.length === 0 ? html`<p class="muted">No failures in this range.</p>` : html`
          <table><thead><tr><th scope="col">Reason</th><th scope="col" class="num">Deliveries</th></tr></thead>
            <tbody>${data.failuresByReason.map((f) => html`<tr><td>${f.reason}</td><td class="num">${formatCount(f.count)}</td></tr>`)}</tbody></table>`}
      </section>
      <section>
        <h2>Consumer lag</h2>
        <table><thead><tr><th scope="col">Consumer group</th><th scope="col">Topic</th><th scope="col" class="num">Lag</th></tr></thead>
          <tbody>${data.lag.map((l) => html`<tr><td>${l.group}</td><td>${l.topic}</td><td class="num">${formatCount(l.lag)}</td></tr>`)}</tbody></table>
      </section>`}`;
}
