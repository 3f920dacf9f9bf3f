// Data that refreshes by itself: loads at once, then every `everyMs` while the page is visible, and stops
// when the component goes away. A failed refresh keeps the last good data and says why.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export function usePolled(load, everyMs, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const refresh = useCallback(async () => {
    try {
      const data = await loadRef.current();
      setState({ data, error: null, loading: false });
    } catch (error) {
      setState((previous) => ({ data: previous.data, error, loading: false }));
    }
  }, []);
  useEffect(() => {
    setState({ data: null, error: null, loading: true });
    refresh();
    if (!everyMs) return undefined;
    const timer = setInterval(() => { if (!document.hidden) refresh(); }, everyMs);
    return () => clearInterval(timer);
  }, deps);
  return { ...state, refresh };
}
