/**
 * Console sign-in end to end: a real OpenID provider (oidc-provider, its own process, PKCE required) on
 * loopback, the real API role on real Redis and Kafka, and real headless Chromium driven through the
 * provider's login and consent pages back to /console. Screenshots go to tests/screenshots/ (git-ignored).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type TestStack } from '../support/stack';
import { SCREENSHOTS, callInPage, freePort, launchChromium, oidcEnv, signIn as signInAt, startOidcProvider } from '../support/console-browser';

const mailing = { text: 'Console sign-in test', startAt: '2099-01-01T12:00:00Z', endAt: '2099-01-02T12:00:00Z', filter: { tags: ['console-oidc-test'] } };

let provider: ChildProcess;
let stack: TestStack;
let browser: Browser;
let apiUrl: string;

beforeAll(async () => {
  const [apiPort, providerPort] = [await freePort(), await freePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  provider = await startOidcProvider(providerPort, `${apiUrl}/console/auth/callback`);
  stack = await startStack({ roles: ['api', 'processors'], env: { HTTP_PORT: String(apiPort), ...oidcEnv(apiUrl, providerPort) } });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  provider?.kill('SIGTERM');
});

const signIn = (context: BrowserContext, login: string, screenshot?: string): Promise<Page> => signInAt(context, apiUrl, login, { screenshot });
const call = callInPage;

it('an editor signs in through the provider, lands on /console, and creates a mailing with the CSRF token', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await signIn(context, 'editor', 'console-oidc-provider-login.png');
  expect(new URL(page.url()).pathname).toBe('/console');
  await page.waitForSelector('#who:not([hidden])');
  expect(await page.textContent('#who-name')).toBe('Edith Editor');
  expect(await page.textContent('#who-role')).toBe('editor');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-oidc-signed-in.png') });

  const cookies = await context.cookies(apiUrl);
  const session = cookies.find((c) => c.name === 'vestnik_console');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  expect(cookies.find((c) => c.name === 'vestnik_console_login')).toBeUndefined(); // used up by the callback

  const me = await call(page, 'GET', '/console/auth/me');
  expect(me).toMatchObject({ status: 200, body: { role: 'editor', name: 'Edith Editor', email: 'edith@example.test', signIn: 'oidc' } });
  const csrf = me.body.csrfToken as string;
  expect(await call(page, 'POST', '/api/mailings', { body: mailing })).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  const created = await call(page, 'POST', '/api/mailings', { csrf, body: mailing });
  expect(created).toMatchObject({ status: 201, body: { status: 'scheduled', text: mailing.text } });
  await call(page, 'POST', `/api/mailings/${created.body.id}/cancel`, { csrf });

  await page.click('#sign-out');
  await page.waitForSelector('#oidc-sign-in:not([hidden])');
  expect((await call(page, 'GET', '/api/mailings')).status).toBe(401);
  await context.close();
});

it('a viewer reads but gets 403 on POST /api/mailings, CSRF token or not', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 'viewer');
  const me = await call(page, 'GET', '/console/auth/me');
  expect(me.body.role).toBe('viewer');
  expect((await call(page, 'GET', '/api/mailings')).status).toBe(200);
  expect((await call(page, 'GET', '/api/stats/mailings')).status).toBe(200);
  expect(await call(page, 'POST', '/api/mailings', { csrf: me.body.csrfToken, body: mailing })).toMatchObject({ status: 403 });
  await context.close();
});

it('a signed-out page goes to the provider by itself and comes back to the page it was asked for', async () => {
  const context = await browser.newContext();
  const page = await signInAt(context, apiUrl, 'viewer', { startAt: '/console#/mailings' });
  expect(new URL(page.url()).hash).toBe('#/mailings');
  await page.getByRole('heading', { level: 1, name: 'Mailings' }).waitFor();
  await context.close();
});

it('a browser that does not keep the session cookie gets a message, not a loop of sign-ins', async () => {
  const context = await browser.newContext();
  // As a browser that drops the session cookie sees it: every look at the session finds none.
  await context.route(`${apiUrl}/console/auth/me`, (route) => route.fulfill({
    status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'not signed in to the console', details: { signIn: 'oidc' } } }),
  }));
  let logins = 0;
  context.on('request', (request) => void (new URL(request.url()).pathname === '/console/auth/login' && logins++));
  const page = await signInAt(context, apiUrl, 'editor', { startAt: '/console#/clients' });
  await page.getByRole('alert').filter({ hasText: 'The sign-in did not complete' }).waitFor();
  expect(logins).toBe(1);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Vestnik console');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'console-sign-in-did-not-complete.png') });
  await context.close();
});

it('an account without a console role is refused sign-in with a clear page', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 'mallory');
  expect(await page.textContent('h1')).toBe('No access to the console');
  expect((await context.cookies(apiUrl)).find((c) => c.name === 'vestnik_console')).toBeUndefined();
  expect((await call(page, 'GET', '/console/auth/me')).status).toBe(401);
  await context.close();
});

it('API-key sign-in is closed when an issuer is configured', async () => {
  const response = await fetch(`${apiUrl}/console/auth/api-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'test-admin-key' }) });
  expect(response.status).toBe(404);
});
