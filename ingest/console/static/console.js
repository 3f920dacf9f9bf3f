// The console's placeholder landing: who is signed in, and sign-out. A served file, not inline script,
// so the page runs under the API's CSP (script-src 'self').
'use strict';

const $ = (id) => document.getElementById(id);

async function showWho() {
  const response = await fetch('/console/auth/me', { credentials: 'same-origin' });
  const body = await response.json();
  if (response.status === 401) {
    const signIn = body.error && body.error.details && body.error.details.signIn;
    if (signIn === 'oidc') {
      window.location.assign('/console/auth/login');
      return;
    }
    $('status').textContent = 'Sign in with an admin or reader API key.';
    $('api-key-form').hidden = false;
    return;
  }
  if (!response.ok) {
    $('status').textContent = 'The console is unavailable right now.';
    return;
  }
  $('who-name').textContent = body.name;
  $('who-role').textContent = body.role;
  $('who').hidden = false;
  $('status').textContent = `Welcome, ${body.name}. Your role: ${body.role}.`;
  $('sign-out').onclick = async () => {
    await fetch('/console/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': body.csrfToken }, credentials: 'same-origin' });
    // Not a reload: with OIDC that would sign straight back in through the provider's own session.
    $('who').hidden = true;
    $('status').textContent = 'You are signed out.';
    if (body.signIn === 'oidc') $('oidc-sign-in').hidden = false;
    else $('api-key-form').hidden = false;
  };
}

async function signInWithKey(event) {
  event.preventDefault();
  const response = await fetch('/console/auth/api-key', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: $('api-key').value }),
    credentials: 'same-origin',
  });
  if (response.ok) window.location.assign('/console');
  else $('api-key-error').textContent = 'That key was not accepted.';
}

document.addEventListener('DOMContentLoaded', () => {
  $('api-key-form').addEventListener('submit', signInWithKey);
  showWho().catch(() => { $('status').textContent = 'The console is unavailable right now.'; });
});
