// Who is signed in: GET /console/auth/me once at start, then the role decides what the pages offer.
// The API decides what is allowed (403 otherwise); the pages only leave out what the role cannot do.

const RANK = { viewer: 0, editor: 1, admin: 2 };

/** True when the session's role is at least `role`. */
export const can = (session, role) => Boolean(session) && RANK[session.role] >= RANK[role];

export async function loadSession() {
  const response = await fetch('/console/auth/me', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) return { signedIn: false, signIn: (body.error && body.error.details && body.error.details.signIn) || 'api-key' };
  if (!response.ok) throw new Error(`the API answered ${response.status}`);
  return { signedIn: true, ...body };
}

/** The page asked for before going to the provider, restored when the sign-in comes back to /console. */
const RETURN_TO = 'vestnik.console.returnTo';
/** When the page last went to the provider. */
const SIGN_IN_STARTED = 'vestnik.console.signInStartedAt';
/** Back from the provider within this long and still signed out: the sign-in did not hold. */
const SIGN_IN_LOOP_MS = 60_000;

/** To the OIDC provider, remembering which console page to come back to (the callback lands on /console). */
export function startOidcSignIn() {
  sessionStorage.setItem(RETURN_TO, window.location.hash);
  sessionStorage.setItem(SIGN_IN_STARTED, String(Date.now()));
  window.location.assign('/console/auth/login');
}

/**
 * True when this page went to the provider less than a minute ago: a console still signed out now would
 * only send the browser round again (a cookie it does not keep), so it says so instead. Read once.
 */
export function signInLooped() {
  const startedAt = Number(sessionStorage.getItem(SIGN_IN_STARTED) || 0);
  sessionStorage.removeItem(SIGN_IN_STARTED);
  return Date.now() - startedAt < SIGN_IN_LOOP_MS;
}

/** The page to return to after signing in, once. */
export function takeReturnTo() {
  const hash = sessionStorage.getItem(RETURN_TO);
  sessionStorage.removeItem(RETURN_TO);
  return hash;
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
