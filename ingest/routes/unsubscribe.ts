import { silentLogger, type Logger } from '../../platform/logger';
import type { UnsubscribeTokens } from '../../platform/unsubscribe';
import type { Client } from '../../schemas/types';
import type { ApiContext } from '../http/context';
import { RouteTarget, mountRoute } from '../http/route';
import { UnsubscribeParams } from '../openapi/me';
import type { Clock } from '../ports';
import type { ResourceStore } from '../../platform/stores/ports';

export interface UnsubscribeRoutesDeps {
  clients: ResourceStore<Client>;
  tokens: UnsubscribeTokens;
  clock: Clock;
  logger?: Logger;
}

/** The pages a person sees; fixed texts (nothing from the request goes into them). */
const PAGES = {
  confirm: {
    title: 'Unsubscribe from promotional messages?',
    text: 'You will still get messages about your account and the series you follow.',
  },
  done: { title: 'You are unsubscribed', text: 'You will no longer get promotional messages from us.' },
  invalid: { title: 'Link not valid', text: 'This unsubscribe link is not valid. You can change your preferences in your account.' },
  unavailable: { title: 'Please try again', text: 'We could not do this right now. Please open the link again in a minute.' },
} as const;

type PageName = keyof typeof PAGES;

/**
 * An HTML page with a fixed text; the confirmation page has a button that POSTs back to the same URL
 * (the RFC 8058 body, like a mail client's one-click unsubscribe).
 */
export function unsubscribePage(name: PageName): string {
  const page = PAGES[name];
  const form = name === 'confirm'
    ? '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
      + '<button type="submit">Unsubscribe</button></form>'
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex">`
    + `<title>${page.title}</title></head><body><h1>${page.title}</h1><p>${page.text}</p>${form}</body></html>`;
}

function answerPage(ctx: ApiContext, status: number, name: PageName): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('cache-control', 'no-store');
  // The token is the credential: do not hand it to other sites in a Referer.
  ctx.set('referrer-policy', 'no-referrer');
  ctx.body = unsubscribePage(name);
}

const pages = (ok: { status: number; description: string }) => ({
  [ok.status]: { description: ok.description, contentType: 'text/html' },
  404: { description: 'The token is not valid, or its client no longer exists (HTML page)', contentType: 'text/html' },
  503: { description: 'The directory is unavailable; nothing changed (HTML page)', contentType: 'text/html' },
});

/**
 * GET /u/{token} and POST /u/{token} (public: the signed token is the credential). GET only shows a
 * confirmation page, because mail scanners prefetch links; POST — the page's button, or a mail client's
 * RFC 8058 one-click request — turns promotional messages off.
 */
export function mountUnsubscribeRoutes(target: RouteTarget, deps: UnsubscribeRoutesDeps): void {
  const log = (deps.logger ?? silentLogger).child({ module: 'unsubscribe' });

  /** The token's client, or null after answering the page that says why not. */
  async function clientOf(ctx: ApiContext, token: string): Promise<Client | null> {
    const clientId = deps.tokens.verify(token);
    let client: Client | null = null;
    if (clientId !== null) {
      ctx.state.logFields.clientId = clientId;
      try {
        client = await deps.clients.get(clientId);
      } catch (error) {
        log.error({ err: error, clientId }, 'client store unavailable');
        answerPage(ctx, 503, 'unavailable');
        return null;
      }
    }
    if (!client) answerPage(ctx, 404, 'invalid');
    return client;
  }

  mountRoute(
    target,
    {
      method: 'get', path: '/u/{token}', summary: 'Unsubscribe page: asks to confirm (changes nothing)', tag: 'unsubscribe',
      params: UnsubscribeParams, responses: pages({ status: 200, description: 'The confirmation page with its button' }),
    },
    async (ctx, { params }) => {
      if (await clientOf(ctx, params.token)) answerPage(ctx, 200, 'confirm');
    },
  );

  mountRoute(
    target,
    {
      method: 'post', path: '/u/{token}', summary: 'Unsubscribe from promotional messages (RFC 8058 one-click)', tag: 'unsubscribe',
      params: UnsubscribeParams, responses: pages({ status: 200, description: 'Unsubscribed (also when already unsubscribed)' }),
    },
    async (ctx, { params }) => {
      const client = await clientOf(ctx, params.token);
      if (!client) return;
      if (client.preferences.promo) {
        try {
          await deps.clients.update(client.id, (current) => (current?.preferences.promo
            ? { ...current, preferences: { ...current.preferences, promo: false }, updatedAt: deps.clock.now() }
            : undefined));
        } catch (error) {
          log.error({ err: error, clientId: client.id }, 'promo opt-out not recorded');
          return answerPage(ctx, 503, 'unavailable');
        }
        log.info({ clientId: client.id }, 'client unsubscribed from promo');
      }
      answerPage(ctx, 200, 'done');
    },
  );
}
