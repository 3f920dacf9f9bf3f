// Every call the console makes to the API: JSON in and out, the session cookie sent by the browser, the
// CSRF token on state-changing calls, and the API's errors as ApiError with its messages by field.

let csrfToken = null;
const signedOutListeners = new Set();

/** Set once the session is known (GET /console/auth/me). */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called when a call finds the session gone (401): the app shows the sign-in screen. */
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The API answered ${status}`);
    this.status = status;
    this.code = error.code || 'UNKNOWN';
    /** The API's validation messages by field path ("filter.tags.0" → "…"). */
    this.fields = {};
    for (const detail of Array.isArray(error.details) ? error.details : []) {
      if (detail && typeof detail.path === 'string' && !(detail.path in this.fields)) this.fields[detail.path] = detail.message;
    }
  }

  /** The message of one field or of any field below it ("filter" covers "filter.tags.0"). */
  fieldMessage(path) {
    if (path in this.fields) return this.fields[path];
    const below = Object.keys(this.fields).find((key) => key.startsWith(`${path}.`));
    return below ? this.fields[below] : undefined;
  }
}

/** One call: the JSON answer and its ETag (the record's version, sent back as If-Match when saving it). */
export async function request(method, url, { body, ifMatch } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(url, {
    method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && url.startsWith('/api/')) for (const listener of signedOutListeners) listener();
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, etag: response.headers.get('ETag') };
}

export async function api(method, url, body) {
  return (await request(method, url, { body })).data;
}

/** A query string from the defined, non-empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
