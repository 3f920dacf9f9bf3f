/**
 * Console sign-in end to end: a real OpenID provider (oidc-provider, its own process, PKCE required) on
 * loopback, the real API role on real Redis and Kafka, and real headless Chromium driven through the
 * provider's login and consent pages back to /console. Screenshots go to tests/screenshots/ (git-ignored).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

const SCREENSHOTS = path.join(__dirname, '..', 'screenshots');
const CLIENT_ID = 'vestnik-console-test';
const CLIENT_SECRET = 'console-test-secret-0123456789abcdef';
const mailing = { text: 'Console sign-in test', startAt: '2099-01-01T12:00:00Z', endAt: '2099-01-02T12:00:00Z', filter: { tags: ['console-oidc-test'] } };

let provider: ChildProcess;
let stack: TestStack;
let browser: Browser;
let apiUrl: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startProvider(port: number, redirectUri: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'support', 'oidc-provider.mjs')], {
    env: { ...process.env, OIDC_TEST_PORT: String(port), OIDC_TEST_CLIENT_ID: CLIENT_ID, OIDC_TEST_CLIENT_SECRET: CLIENT_SECRET, OIDC_TEST_REDIRECT_URI: redirectUri },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk) => void (out += String(chunk)));
  child.stderr?.on('data', () => undefined);
  await waitFor(() => out.includes('listening'), { timeoutMs: 15_000, description: 'the OIDC provider to listen' });
  return child;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const [apiPort, providerPort] = [await freePort(), await freePort()];
  apiUrl = `http://127.0.0.1:${apiPort}`;
  provider = await startProvider(providerPort, `${apiUrl}/console/auth/callback`);
  stack = await startStack({
    roles: ['api', 'processors'],
    env: {
      HTTP_PORT: String(apiPort), PUBLIC_BASE_URL: apiUrl,
      OIDC_ISSUER: `http://127.0.0.1:${providerPort}`, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET,
    },
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  provider?.kill('SIGTERM');
});

/** Signs `login` in through the provider's pages; returns the page on /console. */
async function signIn(context: BrowserContext, login: string, screenshot?: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${apiUrl}/console/auth/login`);
  await page.waitForSelector('input[name="login"]');
  expect(page.url()).not.toContain(apiUrl); // on the provider's own login page
  if (screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, screenshot) });
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any password');
  await page.click('button[type="submit"]');
  // The consent page (first sign-in of this account to this client) asks once.
  await page.waitForURL((url) => url.toString().startsWith(apiUrl) || url.pathname.startsWith('/interaction/'));
  if (!page.url().startsWith(apiUrl)) {
    await page.click('button[type="submit"]');
    await page.waitForURL((url) => url.toString().startsWith(apiUrl));
  }
  return page;
}

/** fetch from inside the page: the browser attaches its own cookies, as the console's pages will. */
async function call(page: Page, method: string, url: string, options: { csrf?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, any> }> {
  return page.evaluate(async ({ method, url, csrf, body }) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, any> };
  }, { method, url, csrf: options.csrf, body: options.body });
}

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
