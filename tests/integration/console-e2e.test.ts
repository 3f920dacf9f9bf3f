/**
 * The operator console end to end, in real headless Chromium against the real stack (Kafka, Redis,
 * ClickHouse, the SMS simulator, an SMTP sink, the user-data simulator) and a real OpenID provider on
 * loopback. An editor signs in, creates clients and a template through the pages, previews it with a
 * client's context-provider data, sends a test, creates a mailing after seeing its audience size, starts
 * it while the SMS provider fails 30% of requests, watches the progress bar reach the total and the chart
 * draw, and resends the failures (each once). A viewer sees no create or cancel and the API refuses it. A
 * dead letter is replayed from its page after its cause is fixed, and processed once.
 *
 * Screenshots go to tests/screenshots/ (git-ignored); docs/screenshots/ holds the two the README shows.
 */
/// <reference lib="dom" />
import type { ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { deliveryIdOf, resendIdOf } from '../../platform/ids';
import { TOPICS } from '../../platform/topics';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { createUserDataSimulator, type MonthlyDigest, type UserDataSimulator } from '../../simulators/user-data';
import { callInPage, freePort, launchChromium, oidcEnv, openConsolePage, screenshot, signIn, startOidcProvider } from '../support/console-browser';
import { iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const KIND = 'monthly-digest';
const AUDIENCE = 20;
/** Clients whose phones the provider refuses for good (HTTP 400): the failures "resend failed" re-sends. */
const REFUSED = 5;
/** The "sent" colour of the console's charts (components/chart.js). */
const SENT_RGB = [0x2e, 0x7d, 0x32];

describe('the operator console in a browser', () => {
  const secret = 'console-e2e-sms-secret';
  const run = uniqueName('ce').replace(/[^A-Za-z0-9_-]/g, '-');
  const tag = `${run}-tag`;
  let provider: ChildProcess;
  let sms: SmsSimulator;
  let smtp: SmtpSink;
  let userData: UserDataSimulator;
  let stack: TestStack;
  let browser: Browser;
  let editor: BrowserContext;
  let page: Page;
  let apiUrl: string;
  const pageErrors: string[] = [];
  let templateId: string;
  let mailingId: string;
  /** The clients whose first message the provider refused (then re-sent). */
  let refusedClients: string[] = [];

  beforeAll(async () => {
    const [apiPort, providerPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    sms = createSmsSimulator({ jwtSecret: secret });
    smtp = createSmtpSink();
    userData = createUserDataSimulator();
    [provider] = await Promise.all([startOidcProvider(providerPort, `${apiUrl}/console/auth/callback`), sms.start(), smtp.start(), userData.start()]);
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: {
        HTTP_PORT: String(apiPort), ...oidcEnv(apiUrl, providerPort),
        SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMTP_URL: smtp.url, USER_DATA_URL: userData.url,
        RETRY_BASE_MS: '100', RETRY_MAX_MS: '1000',
      },
    });
    browser = await launchChromium();
    // Reduced motion: the progress bar's segments do not animate, so a screenshot shows the bar as it is.
    editor = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    page = await signIn(editor, apiUrl, 'editor');
    expect(await page.textContent('#who-role')).toBe('editor');
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A 4xx the pages show (a wrong field) is logged by the browser too; anything else is a fault of the page.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource: the server responded with a status of 4')) pageErrors.push(message.text());
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    provider?.kill('SIGTERM');
    await Promise.all([sms?.stop(), smtp?.stop(), userData?.stop()]);
  });

  afterEach(() => {
    // No script error and no CSP refusal (the console logs none of its own), charged to the test that made it.
    const errors = pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  const open = (hash: string, heading: string | RegExp) => openConsolePage(page, apiUrl, hash, heading);
  const csrf = async (p: Page = page) => (await callInPage(p, 'GET', '/console/auth/me')).body.csrfToken as string;

  it('an editor creates clients through the form, with the API\'s message beside a wrong field, and finds them', async () => {
    await open('#/clients', 'Clients');
    expect(await page.textContent('#who-role')).toBe('editor');
    const form = page.getByRole('form', { name: 'New client' });
    await form.getByLabel('Id (optional)').fill(`${run}-00`);
    await form.getByLabel('Name').fill('Anna');
    await form.getByLabel('Phone').fill('123');
    await form.getByLabel('Tags').fill(tag);
    await form.getByRole('button', { name: 'Create client' }).click();
    // Refused: the message sits beside the phone field and the field is marked invalid.
    const phoneError = form.locator('[data-field="phone"]');
    await phoneError.waitFor();
    expect(await phoneError.textContent()).toContain('7 followed by 10 digits');
    expect(await form.getByLabel('Phone').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Phone').fill('79160000000');
    await form.getByLabel('Email').fill(`anna.${run}@example.com`);
    await form.getByRole('button', { name: 'Create client' }).click();
    await page.getByRole('status').filter({ hasText: `Created ${run}-00` }).waitFor();
    await screenshot(page, 'console-clients.png');

    // The rest of the audience through the same API the form uses.
    const token = await csrf();
    for (let i = 1; i < AUDIENCE; i++) {
      const created = await callInPage(page, 'POST', '/api/clients', {
        csrf: token, body: { id: `${run}-${String(i).padStart(2, '0')}`, name: `Client ${i}`, phone: `7916${String(i).padStart(7, '0')}`, tags: [tag] },
      });
      expect(created.status).toBe(201);
    }
    const search = page.getByRole('search', { name: 'Find clients' });
    // By keyboard: type into the field, Enter searches.
    await search.getByLabel('Value').focus();
    await page.keyboard.type(tag);
    await page.keyboard.press('Enter');
    await page.locator('table[aria-label="Clients found"] tbody tr').nth(AUDIENCE - 1).waitFor();
    expect(await page.locator('table[aria-label="Clients found"] tbody tr').count()).toBe(AUDIENCE);
  });

  it('creates a template, previews it with a client\'s context-provider data, and sends a test through the pipeline', async () => {
    await open('#/templates', 'Templates');
    const form = page.getByRole('form', { name: 'Template' });
    await form.getByLabel('Name').fill(`Digest ${run}`);
    await form.getByLabel('Context provider (optional)').fill(KIND);
    await form.locator('textarea[name="sms-text"]').fill('Hi {{name}}, more {{monthlyDigest.favouriteGenre}} this month');
    await page.getByLabel('Sample client id').fill(`${run}-00`);
    await page.getByLabel('Channel', { exact: true }).selectOption('sms');
    const digest = userData.contextOf(KIND, `${run}-00`) as MonthlyDigest;
    const expected = `Hi Anna, more ${digest.favouriteGenre} this month`;
    await page.locator('#preview-output .rendered-text').filter({ hasText: expected }).waitFor();

    // A broken source: the preview says which field, and saving puts the message beside it.
    await form.locator('textarea[name="sms-text"]').fill('Hi {{#each}}');
    await page.locator('#preview-output [role="alert"]').filter({ hasText: 'variants.en.sms' }).waitFor();
    await form.getByRole('button', { name: 'Create template' }).click();
    await form.locator('[data-field="variants.en.sms"]').waitFor();
    await form.locator('textarea[name="sms-text"]').fill('Hi {{name}}, more {{monthlyDigest.favouriteGenre}} this month');
    await page.locator('#preview-output .rendered-text').filter({ hasText: expected }).waitFor();
    await form.getByRole('button', { name: 'Create template' }).click();
    await page.waitForURL(/#\/templates\/[^/]+$/);
    templateId = decodeURIComponent(page.url().split('#/templates/')[1]!);
    await page.locator('#preview-output .rendered-text').filter({ hasText: expected }).waitFor(); // the sample client stays chosen

    const test = page.getByRole('form', { name: 'Send a test' });
    await test.getByLabel('Channel').selectOption('sms');
    await test.getByLabel('Phone').fill('79990000042');
    await test.getByLabel('Render as client (optional)').fill(`${run}-00`);
    await test.getByRole('button', { name: 'Send test' }).click();
    const queued = test.locator('[data-delivery]');
    await queued.waitFor();
    const deliveryId = (await queued.getAttribute('data-delivery'))!;
    const message = await waitFor(() => sms.message(smsMessageId(deliveryId)), { timeoutMs: 30_000, description: 'the test SMS' });
    expect(message).toMatchObject({ accepted: 1, text: expected });
    await screenshot(page, 'console-template.png');
  });

  it('creates a mailing after its audience size, starts it against a provider failing 30%, follows it to the total, and resends the failures once each', async () => {
    await open('#/mailings', 'Mailings');
    await page.getByRole('button', { name: 'New mailing' }).click();
    const form = page.getByRole('form', { name: 'New mailing' });
    await form.getByLabel('Content from').selectOption('templateId');
    await form.getByLabel('Template id').fill(templateId);
    await form.getByLabel('Tags').fill(tag);
    await form.getByRole('button', { name: 'Count audience' }).click();
    const audience = form.locator('#audience-size');
    await audience.waitFor();
    expect(await audience.getAttribute('data-size')).toBe(String(AUDIENCE));
    // Scheduled an hour ahead, then started from its page.
    const startLocal = await page.evaluate(() => {
      const at = Date.now() + 3600_000;
      return new Date(at - new Date(at).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    });
    await form.getByLabel('Start').fill(startLocal);
    await form.getByRole('button', { name: 'Create mailing' }).click();
    await page.waitForURL(/#\/mailings\/[^/]+$/);
    mailingId = decodeURIComponent(page.url().split('#/mailings/')[1]!);
    await page.locator('#mailing-status', { hasText: 'scheduled' }).waitFor();

    // The provider fails 30% of requests (retried within the mailing's window) and refuses five phones for good.
    const refused = Array.from({ length: REFUSED }, (_, i) => `7916${String(i * 4 + 2).padStart(7, '0')}`);
    await sms.setFaults({ errorRate: 0.3, rejectPhones: refused });
    await page.getByRole('button', { name: 'Start now' }).click();
    const bar = page.locator('.progress-bar');
    await page.locator(`.progress-bar[data-total="${AUDIENCE}"][data-done="${AUDIENCE}"]`).waitFor({ timeout: 120_000 });
    const stats = (await callInPage(page, 'GET', `/api/stats/mailings/${mailingId}?status=failed&limit=100`)).body;
    expect(stats.total).toBe(AUDIENCE);
    const failed: string[] = stats.messages.map((m: { clientId: string }) => m.clientId);
    expect(failed.sort()).toEqual(Array.from({ length: REFUSED }, (_, i) => `${run}-${String(i * 4 + 2).padStart(2, '0')}`));
    expect(stats.byStatus).toMatchObject({ sent: AUDIENCE - REFUSED, failed: REFUSED });
    expect(sms.stats().outcomes['server-error']).toBeGreaterThan(0); // the flaky 30% really happened, and was retried
    // The numbers on the page are the statistics API's.
    const legend = async (status: string) => Number((await page.locator(`.progress-legend [data-status="${status}"]`).textContent())!.replace(/\D/g, ''));
    await page.locator('.progress-legend [data-status="failed"]', { hasText: String(failed.length) }).waitFor();
    expect([await legend('total'), await legend('sent'), await legend('failed')]).toEqual([AUDIENCE, stats.byStatus.sent, failed.length]);
    expect(await bar.getAttribute('aria-valuenow')).toBe(String(AUDIENCE));
    // The failed messages with their reasons.
    const rows = page.locator('table[aria-label="Failed messages"] tbody tr');
    await rows.nth(failed.length - 1).waitFor();
    expect(await rows.count()).toBe(failed.length);
    for (const reason of await rows.locator('td.reason').allTextContents()) expect(reason.trim()).not.toMatch(/^(—|)$/);

    // The chart draws this mailing's sends: pixels of the "sent" colour on its canvas.
    await page.waitForFunction(([r, g, b]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('figure.chart canvas');
      if (!canvas) return false;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let matching = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - r!) < 24 && Math.abs(data[i + 1]! - g!) < 24 && Math.abs(data[i + 2]! - b!) < 24 && data[i + 3]! > 200) matching++;
      return matching > 20;
    }, SENT_RGB, { timeout: 30_000 });
    await screenshot(page, 'console-mailing-progress.png');

    // The provider recovers; "Resend N failed" re-sends exactly those, once each.
    await sms.setFaults({ errorRate: 0, rejectPhones: [] });
    await page.getByRole('button', { name: `Resend ${failed.length} failed` }).click();
    await page.locator('.progress-legend [data-status="sent"]', { hasText: String(AUDIENCE) }).waitFor({ timeout: 60_000 });
    expect(await legend('failed')).toBe(0);
    for (const clientId of failed) {
      expect(sms.message(smsIdOf(mailingId, clientId))?.accepted ?? 0).toBe(0);
      expect(sms.message(smsMessageId(resendIdOf(deliveryIdOf('mailing', mailingId, clientId, 'sms'), 1)))?.accepted).toBe(1);
    }
    expect(sms.stats().duplicateAccepts).toBe(0);
    refusedClients = failed;
    await page.locator('table[aria-label="Failed messages"]').waitFor({ state: 'detached' });
    await screenshot(page, 'console-mailing.png');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'console-mailing-phone.png');
    // At phone width nothing is wider than the screen but tables, which scroll inside themselves.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("shows a client's delivery log with every status change, and saves an edit with If-Match", async () => {
    const clientId = refusedClients[0]!;
    await open(`#/clients/${clientId}`, `Client ${clientId}`);
    const log = page.getByRole('table', { name: 'Delivery log' });
    // The refused message (queued, then failed with the provider's reason) and its re-send (sent).
    await log.locator('tbody tr').nth(1).waitFor();
    const rows = await log.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.includes('failed'))).toMatch(/queued.*failed.*PROVIDER_REJECTED/s);
    expect(rows.filter((row) => /sent/.test(row) && !row.includes('failed'))).toHaveLength(1);

    const ifMatch: string[] = [];
    page.on('request', (request) => { if (request.method() === 'PATCH') ifMatch.push(request.headers()['if-match'] ?? ''); });
    const form = page.getByRole('form', { name: 'Edit client' });
    await form.getByLabel('Name').fill('Renamed in the console');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await callInPage(page, 'GET', `/api/clients/${clientId}`)).body.name).toBe('Renamed in the console');
    // A second save carries the ETag of the first one's answer, so it is not refused as stale.
    await form.getByLabel('Tags').fill(`${tag}, renamed`);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await waitFor(async () => ((await callInPage(page, 'GET', `/api/clients/${clientId}`)).body.tags as string[]).includes('renamed'),
      { timeoutMs: 10_000, description: 'the second save' });
    expect(ifMatch).toHaveLength(2);
    expect(ifMatch.every((etag) => etag.startsWith('"'))).toBe(true);
    expect(ifMatch[1]).not.toBe(ifMatch[0]);
  });

  it('shows the notification history with counts per channel and status', async () => {
    const accepted = await stack.api('POST', '/api/notifications', { templateId, userIds: [`${run}-01`, `${run}-03`], channels: ['sms'], contextJson: '{}' });
    expect(accepted.status).toBe(202);
    await open('#/notifications', 'Notifications');
    const row = page.getByRole('table', { name: 'Notifications' }).locator('tbody tr', { hasText: templateId });
    await waitFor(async () => {
      if ((await row.count()) > 0 && (await row.textContent())!.includes('sent 2')) return true;
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
      return false;
    }, { timeoutMs: 60_000, intervalMs: 1000, description: 'the notification listed with two sent' });
    expect(await row.textContent()).toMatch(/(running|finished)sms2sms sent 2$/);
    expect((await callInPage(page, 'GET', `/api/notifications/${accepted.body.id}`)).body).toMatchObject({ total: 2, counts: { sms: { sent: 2 } } });
  });

  it('shows the overview with its charts, and its numbers are the statistics API\'s', async () => {
    await open('#/overview', 'Overview');
    await page.locator('[data-metric="dead-letters"]').waitFor();
    const overview = (await callInPage(page, 'GET', '/api/stats/overview')).body;
    expect(Number(await page.textContent('[data-metric="dead-letters"]'))).toBe(overview.deadLetters.total);
    const sent = overview.byStatus.sent.reduce((a: number, b: number) => a + b, 0);
    expect(sent).toBeGreaterThanOrEqual(AUDIENCE); // the mailing's sends at least (test sends are left out)
    const label = await page.getByRole('img', { name: /^Status changes per minute/ }).getAttribute('aria-label');
    expect(label).toContain(`sent ${sent}`);
    await screenshot(page, 'console-overview.png');
  });

  it('a viewer sees no create, cancel or resend, and the API answers it 403', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await signIn(context, apiUrl, 'viewer');
    await viewer.goto(`${apiUrl}/console#/mailings/${mailingId}`);
    await viewer.locator('.progress-bar').waitFor();
    expect(await viewer.textContent('#who-role')).toBe('viewer');
    expect(await viewer.getByRole('button', { name: /Cancel|Resend|Start now/ }).count()).toBe(0);
    await viewer.goto(`${apiUrl}/console#/mailings`);
    await viewer.getByRole('table', { name: 'Mailings' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'New mailing' }).count()).toBe(0);
    await viewer.goto(`${apiUrl}/console#/clients`);
    await viewer.getByRole('search', { name: 'Find clients' }).waitFor();
    expect(await viewer.getByRole('form', { name: 'New client' }).count()).toBe(0);
    const token = await csrf(viewer);
    expect((await callInPage(viewer, 'POST', `/api/mailings/${mailingId}/cancel`, { csrf: token })).status).toBe(403);
    expect((await callInPage(viewer, 'POST', '/api/mailings', { csrf: token, body: { text: 'x', startAt: iso(Date.now()), endAt: iso(Date.now() + 60_000) } })).status).toBe(403);
    await context.close();
  });

  it('replays a dead letter from its page after the cause is fixed, and it is processed once', async () => {
    const missing = `${run}-late`;
    const producer = await stack.runtime.producer();
    await producer.send(TOPICS.mailingStarted, [{ key: missing, value: { eventId: `${missing}@1`, occurredAt: Date.now(), mailingId: missing, scheduledFor: Date.now() } }]);
    await open('#/dead-letters', 'Dead letters');
    const card = page.locator('[data-dead-letter]', { hasText: missing });
    await waitFor(async () => {
      if (await card.count()) return true;
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();
      return false;
    }, { timeoutMs: 60_000, intervalMs: 1000, description: 'the dead letter on its page' });
    expect(await card.textContent()).toContain('NOT_FOUND');

    // The fix: the mailing now exists, starting later, so only the replay can start it now.
    const token = await csrf();
    const created = await callInPage(page, 'POST', '/api/mailings', {
      csrf: token, body: { id: missing, text: 'replayed {{name}}', startAt: iso(Date.now() + 3600_000), endAt: iso(Date.now() + 7200_000), filter: { tags: [tag] } },
    });
    expect(created.status).toBe(201);
    await card.getByRole('button', { name: 'Replay' }).click();
    await page.getByRole('status').filter({ hasText: 'replayed' }).waitFor();
    await card.getByText('Replayed.').waitFor(); // the list refreshed: no second Replay button
    expect(await card.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    await screenshot(page, 'console-dead-letters.png');
    const id = (await card.getAttribute('data-dead-letter'))!;
    await waitFor(() => sms.message(smsIdOf(missing, `${run}-05`))?.accepted === 1, { timeoutMs: 60_000, description: 'the replayed mailing\'s SMS' });
    expect((await callInPage(page, 'POST', `/api/dead-letters/${id}/replay`, { csrf: token })).body).toEqual({ id, alreadyReplayed: true });
    const counted = await waitFor(async () => {
      const body = (await callInPage(page, 'GET', `/api/stats/mailings/${missing}`)).body;
      return body.byStatus?.sent === AUDIENCE ? body : null;
    }, { timeoutMs: 60_000, description: 'the replayed mailing sent to everyone' });
    expect(counted.total).toBe(AUDIENCE);
    expect(sms.stats().duplicateAccepts).toBe(0);
  });
});
