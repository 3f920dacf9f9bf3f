// What a page says when it cannot load or is waiting.
import { html } from '../lib/html.js';

export function LoadError({ error }) {
  if (!error) return null;
  const text = error.status === 403 ? 'Your role may not see this.' : error.status === 404 ? 'Not found.' : `Could not load: ${error.message}`;
  return html`<p class="load-error" role="alert">${text}</p>`;
}

export const Loading = () => html`<p class="loading" role="status">Loading…</p>`;
