// A labelled form field with the API's validation message beside it: the message is tied to the input
// (aria-describedby, aria-invalid) so a screen reader reads it with the field.
import { useRef } from 'preact/hooks';
import { html } from '../lib/html.js';

let nextId = 0;
const fieldId = (name) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}-${++nextId}`;

/**
 * kind: 'input' (default), 'textarea' or 'select' (with options [{ value, label }]).
 * error: the ApiError of the last submit; path: the API's path of this field ("filter.tags").
 */
export function Field({ label, name, value, onInput, error, path = name, kind = 'input', options = [], hint, ...rest }) {
  // One id for the field's life, so the label, hint and message stay tied to it across renders.
  const id = useRef(null);
  if (id.current === null) id.current = fieldId(name);
  const message = error && error.fieldMessage ? error.fieldMessage(path) : undefined;
  const described = [hint ? `${id.current}-hint` : null, message ? `${id.current}-error` : null].filter(Boolean).join(' ') || undefined;
  const common = { id: id.current, name, 'aria-invalid': message ? 'true' : undefined, 'aria-describedby': described, ...rest };
  const change = (event) => onInput(rest.type === 'checkbox' ? event.currentTarget.checked : event.currentTarget.value);
  let control;
  if (kind === 'textarea') control = html`<textarea ...${common} value=${value} onInput=${change}></textarea>`;
  else if (kind === 'select') {
    control = html`<select ...${common} value=${value} onChange=${change}>
      ${options.map((o) => html`<option value=${o.value} selected=${o.value === value}>${o.label}</option>`)}
    </select>`;
  } else if (rest.type === 'checkbox') control = html`<input ...${common} checked=${value} onChange=${change} />`;
  else control = html`<input ...${common} value=${value} onInput=${change} />`;
  return html`<div class=${`field${rest.type === 'checkbox' ? ' field-check' : ''}`}>
    <label for=${id.current}>${label}</label>
    ${control}
    ${hint ? html`<small id=${`${id.current}-hint`} class="hint">${hint}</small>` : null}
    ${message ? html`<small id=${`${id.current}-error`} class="field-error" data-field=${path}>${message}</small>` : null}
  </div>`;
}

/** The part of an API error no field shows (or the whole message when it names no field). */
export function FormError({ error }) {
  if (!error) return null;
  const unshown = Object.keys(error.fields || {}).length === 0;
  return html`<p class="form-error" role="alert">${unshown ? error.message : 'Please correct the fields marked below.'}</p>`;
}
