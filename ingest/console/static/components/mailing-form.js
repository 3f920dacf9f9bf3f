// A new mailing: its content (text or a template), channel, audience filter (with the audience size
// before anything is sent), window, optional daily send window, promo flag and priority.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { formatCount, fromLocalInput, splitList, toLocalInput } from '../lib/format.js';
import { Field, FormError } from './field.js';

const HOUR_MS = 3600_000;
const option = (v) => ({ value: v, label: v });

function initial() {
  const now = Date.now();
  return {
    content: 'text', text: '', templateId: '', channel: 'sms', tags: '', operatorCodes: '',
    startAt: toLocalInput(now), endAt: toLocalInput(now + 24 * HOUR_MS), windowFrom: '', windowTo: '', promo: false, priority: 'bulk',
  };
}

const filterOf = (form) => ({ tags: splitList(form.tags), operatorCodes: splitList(form.operatorCodes) });

function bodyOf(form) {
  return {
    ...(form.content === 'text' ? { text: form.text } : { templateId: form.templateId.trim() }),
    channel: form.channel, filter: filterOf(form), startAt: fromLocalInput(form.startAt), endAt: fromLocalInput(form.endAt),
    sendWindow: form.windowFrom || form.windowTo ? { from: form.windowFrom, to: form.windowTo } : null,
    promo: form.promo, priority: form.priority,
  };
}

export function MailingForm({ onCreated }) {
  const [form, setForm] = useState(initial);
  const [error, setError] = useState(null);
  const [audience, setAudience] = useState(null);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));
  const setFilter = (name) => (value) => { setAudience(null); set(name)(value); };

  const count = async () => {
    try {
      const { size } = await api('POST', '/api/mailings/audience', { filter: filterOf(form) });
      setAudience({ size, filter: JSON.stringify(filterOf(form)) });
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };
  const submit = async (event) => {
    event.preventDefault();
    try {
      const created = await api('POST', '/api/mailings', bodyOf(form));
      setError(null);
      onCreated(created);
    } catch (failure) {
      setError(failure);
    }
  };
  const field = (name, label, extra = {}) => html`<${Field} label=${label} name=${name} value=${form[name]} onInput=${set(name)} error=${error} ...${extra} />`;
  return html`<form class="form-grid" onSubmit=${submit} aria-label="New mailing">
    <${FormError} error=${error} />
    <fieldset>
      <legend>Content</legend>
      ${field('content', 'Content from', { kind: 'select', options: [{ value: 'text', label: 'Text written here' }, { value: 'templateId', label: 'A template' }] })}
      ${form.content === 'text'
        ? field('text', 'Text', { kind: 'textarea', rows: 3, hint: 'Handlebars, e.g. Hello {{name}}' })
        : field('templateId', 'Template id')}
      ${field('channel', 'Channel', { kind: 'select', options: ['sms', 'email', 'push', 'inapp', 'webhook'].map(option) })}
    </fieldset>
    <fieldset>
      <legend>Audience</legend>
      <${Field} label="Tags" name="tags" value=${form.tags} onInput=${setFilter('tags')} error=${error} path="filter.tags" hint="Comma-separated; any of them matches; empty matches everyone" />
      <${Field} label="Operator codes" name="operatorCodes" value=${form.operatorCodes} onInput=${setFilter('operatorCodes')} error=${error} path="filter.operatorCodes" hint="Comma-separated, 3 digits each" />
      <div class="actions">
        <button type="button" onClick=${count}>Count audience</button>
        ${audience ? html`<output id="audience-size" role="status" data-size=${audience.size}>${formatCount(audience.size)} clients match this filter</output>` : null}
      </div>
    </fieldset>
    <fieldset>
      <legend>When</legend>
      ${field('startAt', 'Start', { type: 'datetime-local' })}
      ${field('endAt', 'End', { type: 'datetime-local', hint: 'Nothing is sent after this' })}
      <div class="form-row">
        ${field('windowFrom', 'Send only from', { type: 'time', path: 'sendWindow.from', hint: "Recipient's local time; empty: any time" })}
        ${field('windowTo', 'until', { type: 'time', path: 'sendWindow.to' })}
      </div>
    </fieldset>
    <fieldset>
      <legend>Kind</legend>
      ${field('priority', 'Priority', { kind: 'select', options: ['bulk', 'express'].map(option) })}
      ${field('promo', 'Promotional (skips clients who opted out of promotions)', { type: 'checkbox' })}
    </fieldset>
    <div class="actions"><button type="submit">Create mailing</button></div>
  </form>`;
}
