/**
 * What the console's browser tests share: a free loopback port, the test OpenID provider (oidc-provider in
 * its own process, PKCE required), signing in through its pages in real Chromium, and API calls made from
 * inside a page (with the browser's own cookies, as the console's pages make them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from './wait-for';

/** Where browser tests write screenshots (git-ignored). */
export const SCREENSHOTS = path.join(__dirname, '..', 'screenshots');
export const OIDC_CLIENT_ID = 'vestnik-console-test';
export const OIDC_CLIENT_SECRET = 'console-test-secret-0123456789abcdef';

/** The harness's one free-port picker (below the ephemeral range, so no outgoing connection takes it meanwhile). */
export { freePort } from '../../infra/local/private-services';

/** The test provider on `port`, for a client whose callback is `redirectUri`; accounts: editor, viewer, admin, mallory. */
export async function startOidcProvider(port: number, redirectUri: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, 'oidc-provider.mjs')], {
    env: { ...process.env, OIDC_TEST_PORT: String(port), OIDC_TEST_CLIENT_ID: OIDC_CLIENT_ID, OIDC_TEST_CLIENT_SECRET: OIDC_CLIENT_SECRET, OIDC_TEST_REDIRECT_URI: redirectUri },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk) => void (out += String(chunk)));
  child.stderr?.on('data', () => undefined);
  await waitFor(() => out.includes('listening'), { timeoutMs: 15_000, description: 'the OIDC provider to listen' });
  return child;
}

/** The environment that points the API role at the test provider. */
export function oidcEnv(apiUrl: string, providerPort: number): Record<string, string> {
  return { PUBLIC_BASE_URL: apiUrl, OIDC_ISSUER: `http://127.0.0.1:${providerPort}`, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET };
}

/** Debian's Chromium, headless. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

/**
 * Signs `login` in through the provider's pages (and its consent page the first time), starting at `startAt`
 * (the API's login route; a console page also goes there by itself when signed out). Returns the page once
 * it is back on the API and loaded: the console, signed in, or the API's sign-in failure page (an account
 * without a role). Every wait names a page other than the one the browser is on: Playwright's waitForURL
 * returns at once when the current URL already matches, so "wait for /interaction/" from the login page (itself
 * under /interaction/) would not wait for anything.
 */
export async function signIn(context: BrowserContext, apiUrl: string, login: string, options: { screenshot?: string; startAt?: string } = {}): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${apiUrl}${options.startAt ?? '/console/auth/login'}`);
  await page.waitForSelector('input[name="login"]');
  expect(page.url()).not.toContain(apiUrl); // on the provider's own login page
  if (options.screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, options.screenshot) });
  const loginPage = page.url();
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any password');
  const backOnApi = (url: URL) => url.origin === new URL(apiUrl).origin && url.pathname !== '/console/auth/login';
  await Promise.all([page.waitForURL((url) => url.href !== loginPage && (backOnApi(url) || url.pathname.startsWith('/interaction/'))), page.click('button[type="submit"]')]);
  if (!backOnApi(new URL(page.url()))) {
    // The provider's consent page: a new interaction, with its own URL.
    await Promise.all([page.waitForURL(backOnApi), page.click('button[type="submit"]')]);
  }
  // The callback redirects to /console; wait until that page has loaded, not the redirect.
  if (new URL(page.url()).pathname === '/console') await page.waitForSelector('#who-role, main.sign-in');
  return page;
}

/**
 * Opens a console page by its #fragment and waits for its heading. When it does not come, the error says
 * what the browser shows instead (the URL, the headings and any alert), not only that a locator timed out.
 */
export async function openConsolePage(page: Page, apiUrl: string, hash: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${apiUrl}/console${hash}`);
  try {
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  } catch (failure) {
    const shown = await page.evaluate(() => ({
      headings: Array.from(document.querySelectorAll('h1')).map((h) => h.textContent),
      alerts: Array.from(document.querySelectorAll('[role="alert"], [role="status"]')).map((a) => a.textContent),
    })).catch((error: Error) => ({ unreadable: error.message }));
    throw new Error(`console page ${hash}: no heading ${String(heading)}; the browser is at ${page.url()} showing ${JSON.stringify(shown)}`, { cause: failure });
  }
}

export type PageCall = { status: number; body: Record<string, any> };

/** fetch from inside the page: the browser attaches its own cookies. */
export async function callInPage(page: Page, method: string, url: string, options: { csrf?: string; body?: unknown } = {}): Promise<PageCall> {
  return page.evaluate(async ({ method, url, csrf, body }) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, any> };
  }, { method, url, csrf: options.csrf, body: options.body });
}
