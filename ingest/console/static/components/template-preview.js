// The live preview beside the template editor: the draft rendered by the pipeline's own rendering code
// (POST /api/templates/preview) for a chosen sample client with its context-provider data, as the
// operator types (debounced). A template error shows here with the field it concerns.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Field } from './field.js';

const CHANNELS = ['email', 'sms', 'push', 'inapp', 'webhook'].map((c) => ({ value: c, label: c }));
const DEBOUNCE_MS = 400;
const SAMPLE_CLIENT_KEY = 'vestnik.console.previewClient';

export function TemplatePreview({ template, channel, onChannel }) {
  // The sample client stays chosen across templates and after a save (for this browser tab).
  const [clientId, setClientId] = useState(() => sessionStorage.getItem(SAMPLE_CLIENT_KEY) || '');
  const chooseClient = (value) => {
    sessionStorage.setItem(SAMPLE_CLIENT_KEY, value);
    setClientId(value);
  };
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const draft = JSON.stringify(template);

  useEffect(() => {
    if (!clientId.trim()) {
      setResult(null);
      setError(null);
      return undefined;
    }
    const timer = setTimeout(async () => {
      try {
        setResult(await api('POST', '/api/templates/preview', { template, clientId: clientId.trim(), channel }));
        setError(null);
      } catch (failure) {
        setError(failure);
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, clientId, channel]);

  return html`<section class="preview" aria-label="Preview">
    <h2>Preview</h2>
    <div class="form-row">
      <${Field} label="Sample client id" name="preview-client" value=${clientId} onInput=${chooseClient} hint="Rendered with this client's data and its context-provider data" />
      <${Field} label="Channel" name="preview-channel" kind="select" value=${channel} onInput=${onChannel} options=${CHANNELS} />
    </div>
    <div aria-live="polite" id="preview-output">
      ${error ? html`<div class="form-error" role="alert">
          <p>${error.message}</p>
          ${Object.keys(error.fields).length ? html`<ul>${Object.entries(error.fields).map(([path, message]) => html`<li><code>${path.replace(/^template\./, '')}</code>: ${message}</li>`)}</ul>` : null}
        </div>` : null}
      ${result && !error ? html`<div class="rendered" data-locale=${result.locale}>
          ${result.subject !== undefined ? html`<p class="rendered-subject"><strong>${result.subject}</strong></p>` : null}
          <pre class="rendered-text">${result.text}</pre>
          ${result.html ? html`<details><summary>HTML</summary><pre class="rendered-html">${result.html}</pre></details>` : null}
          <p class="muted">Locale ${result.locale}</p>
        </div>` : null}
      ${!clientId.trim() ? html`<p class="muted">Enter a client id to see the message as they would get it.</p>` : null}
    </div>
  </section>`;
}
