// Templates: the list, and an editor for each channel and locale with a live preview beside it; a saved
// template can be sent as a test. Viewers see the same page read-only.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, query } from '../lib/api.js';
import { go } from '../lib/router.js';
import { usePolled } from '../lib/poll.js';
import { can } from '../lib/session.js';
import { addLocale, bodyOf, CHANNEL_FIELDS, draftOf, fieldPath, firstFilledChannel } from '../lib/template-draft.js';
import { Field, FormError } from '../components/field.js';
import { LoadError, Loading } from '../components/notice.js';
import { TemplatePreview } from '../components/template-preview.js';
import { TestSend } from '../components/test-send.js';

function TemplateEditor({ template, session, onSaved }) {
  const editable = can(session, 'editor');
  const [draft, setDraft] = useState(() => draftOf(template));
  const [locale, setLocale] = useState(draft.defaultLocale);
  const [newLocale, setNewLocale] = useState('');
  const [channel, setChannel] = useState(() => firstFilledChannel(draft, draft.defaultLocale));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const set = (name) => (value) => setDraft((d) => ({ ...d, [name]: value }));
  const setVariantField = (ch, field) => (value) => setDraft((d) => ({
    ...d, variants: { ...d.variants, [locale]: { ...d.variants[locale], [ch]: { ...d.variants[locale][ch], [field]: value } } },
  }));
  const save = async (event) => {
    event.preventDefault();
    try {
      const body = bodyOf(draft);
      const result = template
        ? await api('PUT', `/api/templates/${encodeURIComponent(template.id)}`, body)
        : await api('POST', '/api/templates', { ...body, ...(draft.id.trim() ? { id: draft.id.trim() } : {}) });
      setError(null);
      setSaved(true);
      onSaved(result);
    } catch (failure) {
      setError(failure);
      setSaved(false);
    }
  };
  const add = (event) => {
    event.preventDefault();
    const name = newLocale.trim();
    if (!name || draft.variants[name]) return;
    setDraft((d) => addLocale(d, name));
    setLocale(name);
    setNewLocale('');
  };
  const variant = draft.variants[locale];
  return html`<div class="template-layout">
    <form class="form-grid template-form" onSubmit=${save} aria-label="Template">
      <${FormError} error=${error} />
      ${template ? null : html`<${Field} label="Id (optional)" name="id" value=${draft.id} onInput=${set('id')} error=${error} disabled=${!editable} />`}
      <${Field} label="Name" name="name" value=${draft.name} onInput=${set('name')} error=${error} disabled=${!editable} />
      <${Field} label="Default locale" name="defaultLocale" value=${draft.defaultLocale} onInput=${set('defaultLocale')} error=${error} disabled=${!editable} />
      <${Field} label="Context provider (optional)" name="contextProvider" value=${draft.contextProvider} onInput=${set('contextProvider')} error=${error} disabled=${!editable}
        hint="Its data is merged into the message's data, e.g. {{monthlyDigest.month}}" />
      <div class="form-row">
        <${Field} label="Locale" name="locale" kind="select" value=${locale} onInput=${setLocale}
          options=${Object.keys(draft.variants).map((l) => ({ value: l, label: l }))} />
        ${editable ? html`<div class="field"><label for="new-locale">Add a locale</label>
          <span class="inline"><input id="new-locale" value=${newLocale} onInput=${(e) => setNewLocale(e.currentTarget.value)} placeholder="ru" />
          <button type="button" onClick=${add}>Add</button></span></div>` : null}
      </div>
      ${Object.entries(CHANNEL_FIELDS).map(([ch, fields]) => html`<fieldset key=${`${locale}-${ch}`}>
        <legend>${ch}</legend>
        ${fields.map(([field, label]) => html`<${Field} label=${label} name=${`${ch}-${field}`} value=${variant[ch][field]} onInput=${setVariantField(ch, field)}
          onFocus=${() => setChannel(ch)} kind=${field === 'subject' || field === 'title' ? 'input' : 'textarea'} rows=${field === 'html' ? 4 : 3}
          error=${error} path=${fieldPath(locale, ch, field)} disabled=${!editable} />`)}
      </fieldset>`)}
      ${editable ? html`<div class="actions"><button type="submit">${template ? 'Save template' : 'Create template'}</button>
        ${saved ? html`<span role="status" class="ok">Saved.</span>` : null}</div>` : null}
    </form>
    <aside>
      <${TemplatePreview} template=${bodyOf(draft)} channel=${channel} onChannel=${setChannel} />
      ${template && editable ? html`<${TestSend} templateId=${template.id} />` : null}
    </aside>
  </div>`;
}

export function TemplatesPage({ id, session }) {
  const list = usePolled(() => api('GET', `/api/templates${query({ limit: 200 })}`), 0, []);
  const one = usePolled(() => (id ? api('GET', `/api/templates/${encodeURIComponent(id)}`) : Promise.resolve(null)), 0, [id]);
  const onSaved = (saved) => {
    list.refresh();
    if (saved.id !== id) go('templates', saved.id);
  };
  return html`
    <h1 tabindex="-1">${id ? `Template ${(one.data && one.data.name) || id}` : 'Templates'}</h1>
    <div class="with-sidebar">
      <nav aria-label="Templates" class="sidebar">
        ${can(session, 'editor') ? html`<p><a class="button" href="#/templates">New template</a></p>` : null}
        <${LoadError} error=${list.error} />
        ${list.data ? html`<ul class="plain">${list.data.items.map((t) => html`<li>
          <a href=${`#/templates/${encodeURIComponent(t.id)}`} aria-current=${t.id === id ? 'page' : undefined}>${t.name || t.id}</a></li>`)}</ul>` : null}
      </nav>
      <div>
        <${LoadError} error=${one.error} />
        ${id && !one.data ? (one.error ? null : html`<${Loading} />`)
          : !id && !can(session, 'editor') ? html`<p class="muted">Choose a template to see its channels and preview it.</p>`
          : html`<${TemplateEditor} key=${id || 'new'} template=${one.data} session=${session} onSaved=${onSaved} />`}
      </div>
    </div>`;
}
