// The screens before the console: the OIDC sign-in link (the page goes there by itself on first load), or
// the API-key form when no OIDC provider is configured, and "signed out".
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { signInWithKey, startOidcSignIn } from '../lib/session.js';

export function SignIn({ method, signedOut, failed }) {
  const [key, setKey] = useState('');
  const [refused, setRefused] = useState(false);
  if (method === 'oidc') {
    return html`<main class="sign-in">
      <h1>Vestnik console</h1>
      ${failed
        ? html`<p role="alert">The sign-in did not complete: the console came back without a session. If your browser blocks cookies for this site, allow them and sign in again.</p>`
        : html`<p role="status">${signedOut ? 'You are signed out.' : 'Sign in to continue.'}</p>`}
      <p id="oidc-sign-in"><a class="button" href="/console/auth/login" onClick=${(e) => { e.preventDefault(); startOidcSignIn(); }}>Sign in</a></p>
    </main>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    if (await signInWithKey(key)) window.location.reload();
    else setRefused(true);
  };
  return html`<main class="sign-in">
    <h1>Vestnik console</h1>
    <p role="status">${signedOut ? 'You are signed out. ' : ''}Sign in with an admin or reader API key.</p>
    <form id="api-key-form" onSubmit=${submit}>
      <label for="api-key">API key</label>
      <input id="api-key" name="key" type="password" autocomplete="off" required value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />
      <button type="submit">Sign in</button>
      ${refused ? html`<p id="api-key-error" role="alert">That key was not accepted.</p>` : null}
    </form>
  </main>`;
}
