// Clients: search by tag, operator code, exact phone or email; create one (editors).
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api, query } from '../lib/api.js';
import { can } from '../lib/session.js';
import { Field, FormError } from '../components/field.js';
import { ClientForm } from '../components/client-form.js';

const SEARCH_BY = [
  { value: 'tag', label: 'Tag' }, { value: 'operatorCode', label: 'Operator code' },
  { value: 'phone', label: 'Phone' }, { value: 'email', label: 'Email' },
];

export function ClientsPage({ session }) {
  const [by, setBy] = useState('tag');
  const [text, setText] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);

  const search = async (cursor) => {
    try {
      const page = await api('GET', `/api/clients${query({ [by]: text.trim(), cursor, limit: 50 })}`);
      setResult((previous) => (cursor && previous ? { items: [...previous.items, ...page.items], nextCursor: page.nextCursor } : page));
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };
  const submit = (event) => { event.preventDefault(); search(); };
  const create = async (body) => {
    const client = await api('POST', '/api/clients', body);
    setCreated(client);
  };

  return html`
    <h1 tabindex="-1">Clients</h1>
    <form class="search" role="search" onSubmit=${submit} aria-label="Find clients">
      <${Field} label="Search by" name="by" kind="select" value=${by} onInput=${setBy} options=${SEARCH_BY} />
      <${Field} label="Value" name="q" value=${text} onInput=${setText} error=${error} path=${by} type="search" />
      <div class="actions"><button type="submit">Search</button></div>
    </form>
    ${error && Object.keys(error.fields).length === 0 ? html`<${FormError} error=${error} />` : null}
    ${result ? html`
      <table aria-label="Clients found">
        <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Phone</th><th scope="col">Email</th><th scope="col">Tags</th></tr></thead>
        <tbody>${result.items.map((c) => html`<tr>
          <td><a href=${`#/clients/${encodeURIComponent(c.id)}`}>${c.id}</a></td><td>${c.name}</td><td>${c.phone}</td><td>${c.email}</td><td>${c.tags.join(', ')}</td>
        </tr>`)}</tbody>
      </table>
      ${result.items.length === 0 ? html`<p class="muted">No client matches.</p>` : null}
      ${result.nextCursor ? html`<button type="button" onClick=${() => search(result.nextCursor)}>Show more</button>` : null}` : null}
    ${can(session, 'editor') ? html`
      <section>
        <h2>New client</h2>
        ${created ? html`<p role="status" class="ok">Created <a href=${`#/clients/${encodeURIComponent(created.id)}`}>${created.id}</a>.</p>` : null}
        <${ClientForm} onSave=${create} submitLabel="Create client" />
      </section>` : null}`;
}
