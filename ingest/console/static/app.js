// The console: one page, routed by the URL's #fragment. Loads the session, then the page the URL names.
import { useEffect, useState } from 'preact/hooks';
import { html, render } from './lib/html.js';
import { onSignedOut, setCsrfToken } from './lib/api.js';
import { useRoute } from './lib/router.js';
import { loadSession, signInLooped, signOut, startOidcSignIn, takeReturnTo } from './lib/session.js';
import { SignIn } from './components/sign-in.js';
import { OverviewPage } from './pages/overview.js';
import { ClientsPage } from './pages/clients.js';
import { ClientPage } from './pages/client.js';
import { TemplatesPage } from './pages/templates.js';
import { MailingsPage } from './pages/mailings.js';
import { MailingPage } from './pages/mailing.js';
import { NotificationsPage } from './pages/notifications.js';
import { DeadLettersPage } from './pages/dead-letters.js';

const PAGES = [
  { page: 'overview', label: 'Overview', list: OverviewPage },
  { page: 'clients', label: 'Clients', list: ClientsPage, one: ClientPage },
  { page: 'templates', label: 'Templates', list: TemplatesPage, one: TemplatesPage },
  { page: 'mailings', label: 'Mailings', list: MailingsPage, one: MailingPage },
  { page: 'notifications', label: 'Notifications', list: NotificationsPage },
  { page: 'dead-letters', label: 'Dead letters', list: DeadLettersPage },
];

function Console({ session, onSignOut }) {
  const route = useRoute();
  const entry = PAGES.find((p) => p.page === route.page) || PAGES[0];
  const Page = route.id && entry.one ? entry.one : entry.list;
  useEffect(() => {
    document.title = `${entry.label} · Vestnik console`;
    // Moving to a page puts the keyboard focus on its heading, as a full page load would.
    const heading = document.querySelector('main h1');
    if (heading) heading.focus({ preventScroll: true });
  }, [route.page, route.id]);
  return html`
    <a class="skip" href="#content" onClick=${(e) => { e.preventDefault(); document.getElementById('content').focus(); }}>Skip to content</a>
    <header class="top">
      <span class="brand">Vestnik</span>
      <nav aria-label="Console pages">
        <ul>
          ${PAGES.map((p) => html`<li><a href=${`#/${p.page}`} aria-current=${p === entry ? 'page' : undefined}>${p.label}</a></li>`)}
        </ul>
      </nav>
      <div id="who">
        <span><strong id="who-name">${session.name}</strong> (<span id="who-role">${session.role}</span>)</span>
        <button id="sign-out" type="button" onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <main id="content" tabindex="-1">
      <${Page} key=${`${route.page}/${route.id || ''}`} id=${route.id} session=${session} />
    </main>`;
}

/** "Unavailable" asks again by itself after this long. */
const RETRY_MS = 5_000;

function App() {
  const [state, setState] = useState({ phase: 'loading' });
  // On opening the console: signed in, or straight to the provider as any site's sign-in, or the key form.
  const start = () => loadSession().then((session) => {
    const looped = signInLooped();
    if (session.signedIn) {
      const returnTo = takeReturnTo();
      if (returnTo && !window.location.hash) window.location.replace(returnTo);
      setCsrfToken(session.csrfToken);
      setState({ phase: 'in', session });
    } else if (session.signIn === 'oidc' && !looped) startOidcSignIn();
    // Back from the provider and still signed out (a cookie the browser did not keep): no second round trip.
    else setState({ phase: 'out', method: session.signIn, signedOut: false, failed: session.signIn === 'oidc' });
  }).catch((error) => setState({ phase: 'down', error }));

  useEffect(() => {
    start();
    // A session that ends while the page is open (expired, signed out elsewhere) shows the sign-in again.
    return onSignedOut(() => setState((s) => (s.phase === 'in' ? { phase: 'out', method: s.session.signIn, signedOut: true } : s)));
  }, []);
  // Unavailable (the API restarting, a 429): ask again by itself, as the message says.
  useEffect(() => {
    if (state.phase !== 'down') return undefined;
    const timer = setTimeout(start, RETRY_MS);
    return () => clearTimeout(timer);
  }, [state]);

  if (state.phase === 'loading') return html`<p class="loading" role="status">Loading the console…</p>`;
  if (state.phase === 'down') return html`<main class="sign-in"><h1>Vestnik console</h1><p role="alert">The console is unavailable right now (${state.error.message}). Trying again in ${RETRY_MS / 1000} seconds.</p></main>`;
  if (state.phase === 'out') return html`<${SignIn} method=${state.method} signedOut=${state.signedOut} failed=${state.failed} />`;
  const leave = async () => {
    await signOut(state.session);
    // Not a reload: with OIDC that would sign straight back in through the provider's own session.
    setState({ phase: 'out', method: state.session.signIn, signedOut: true });
  };
  return html`<${Console} session=${state.session} onSignOut=${leave} />`;
}

render(html`<${App} />`, document.getElementById('app'));
