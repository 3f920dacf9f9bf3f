// Who is signed in: GET /console/auth/me once at start, then the role decides what the pages offer.
// The API decides what is allowed (403 otherwise); the pages only leave out what the role cannot do.

const RANK = { viewer: 0, editor: 1, admin: 2 };

/** True when the session's role is at least `role`. */
export const can = (session, role) => Boolean(session) && RANK[session.role] >= RANK[role];

export async function loadSession() {
  const response = await fetch('/console/auth/me', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) return { signedIn: false, signIn: (body.error && body.error.details && body.error.details.signIn) || 'api-key' };
  if (!response.ok) throw new Error(`the console is unavailable (${response.status})`);
  return { signedIn: true, ...body };
}

export async function signOut(session) {
  await fetch('/console/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': session.csrfToken }, credentials: 'same-origin' });
}

export async function signInWithKey(key) {
  const response = await fetch('/console/auth/api-key', {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }),
  });
  return response.ok;
}
