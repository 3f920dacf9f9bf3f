// A client's editable fields, for creating one and for editing one. The API validates; its messages
// appear beside the fields they concern.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { splitList } from '../lib/format.js';
import { Field, FormError } from './field.js';

const fromClient = (c) => ({
  id: '', name: c?.name ?? '', phone: c?.phone ?? '', email: c?.email ?? '', tags: (c?.tags ?? []).join(', '),
  timezone: c?.timezone ?? 'UTC', locale: c?.locale ?? 'en', promo: c?.preferences?.promo ?? true,
});

/** The API body from the form: empty optional fields are null (email) or left out (id). */
function toBody(form, creating) {
  const body = {
    name: form.name.trim() || null, phone: form.phone.trim(), email: form.email.trim() || null, tags: splitList(form.tags),
    timezone: form.timezone.trim(), locale: form.locale.trim(),
  };
  if (creating && form.id.trim()) body.id = form.id.trim();
  return body;
}

export function ClientForm({ client, onSave, submitLabel }) {
  const creating = !client;
  const [form, setForm] = useState(fromClient(client));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (value) => setForm((f) => ({ ...f, [name]: value }));
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSave(toBody(form, creating));
      setError(null);
      if (creating) setForm(fromClient(null));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const field = (name, label, extra = {}) => html`<${Field} label=${label} name=${name} value=${form[name]} onInput=${set(name)} error=${error} ...${extra} />`;
  return html`<form class="form-grid columns" onSubmit=${submit} aria-label=${creating ? 'New client' : 'Edit client'}>
    <${FormError} error=${error} />
    ${creating ? field('id', 'Id (optional)', { hint: 'Your system’s id for this person; generated when empty' }) : null}
    ${field('name', 'Name')}
    ${field('phone', 'Phone', { hint: '7 and 10 digits, or empty', inputmode: 'numeric' })}
    ${field('email', 'Email', { type: 'email' })}
    ${field('tags', 'Tags', { hint: 'Comma-separated' })}
    ${field('timezone', 'Time zone', { hint: 'IANA, e.g. Europe/Moscow' })}
    ${field('locale', 'Locale')}
    <div class="actions"><button type="submit" disabled=${busy}>${submitLabel}</button></div>
  </form>`;
}
