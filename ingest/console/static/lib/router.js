// Hash routing: #/mailings/abc → { page: 'mailings', id: 'abc' }. The server serves one page, /console;
// links are plain <a href="#/…">, so the browser's history and keyboard work as on any site.
import { useEffect, useState } from 'preact/hooks';

export function parseRoute(hash) {
  const [page = 'overview', id = null] = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page, id };
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function go(page, id) {
  window.location.hash = id ? `#/${page}/${encodeURIComponent(id)}` : `#/${page}`;
}
