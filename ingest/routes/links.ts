import type { Link, LinkStore } from '../../platform/links/link-store';
import { silentLogger, type Logger } from '../../platform/logger';
import { RouteTarget, mountRoute } from '../http/route';
import type { ApiContext } from '../http/context';
import { z } from '../../domain/resources/zod';

export interface LinkRoutesDeps {
  links: LinkStore;
  /**
   * Records what the link confirms (publish an event, mark the client's email confirmed). Called once,
   * on the first use; if it throws, the link is put back so the user can click again.
   */
  onConfirmed(link: Link): Promise<void>;
  logger?: Logger;
}

const CodeParams = z.object({ code: z.string() });

/** The pages a person sees after clicking; plain HTML, no stack or internals ever. */
const PAGES = {
  used: { title: 'Link already used', text: 'This link was already used. There is nothing more to do.' },
  expired: { title: 'Link expired', text: 'This link has expired or does not exist. Please request a new one.' },
  confirmed: { title: 'Email confirmed', text: 'Thank you: your email address is confirmed.' },
  unavailable: { title: 'Please try again', text: 'We could not confirm this right now. Please open the link again in a minute.' },
} as const;

type PageName = keyof typeof PAGES;

/** An HTML page with a fixed, known text (nothing user-supplied goes into it). */
export function linkPage(name: PageName): string {
  const page = PAGES[name];
  return `<!doctype html><html><head><meta charset="utf-8"><title>${page.title}</title></head>`
    + `<body><h1>${page.title}</h1><p>${page.text}</p></body></html>`;
}

function answerPage(ctx: ApiContext, status: number, name: PageName): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('cache-control', 'no-store');
  ctx.body = linkPage(name);
}

/**
 * GET /l/{code} (public): the first use redirects to the link's target and records the confirmation;
 * a reuse answers 410 "already used"; an expired or unknown code answers 410 "expired". Also serves
 * GET /links/confirmed, the default target of a confirmation link.
 */
export function mountLinkRoutes(target: RouteTarget, deps: LinkRoutesDeps): void {
  mountConfirmedPage(target);
  const log = (deps.logger ?? silentLogger).child({ module: 'links' });
  mountRoute(
    target,
    {
      method: 'get', path: '/l/{code}', summary: 'Open a short link (valid once, until it expires)', tag: 'links',
      params: CodeParams,
      responses: {
        302: { description: 'First use: redirect to the target' },
        410: { description: 'Already used, or expired / unknown (HTML page)', contentType: 'text/html' },
        503: { description: 'The confirmation could not be recorded; the link stays valid (HTML page)', contentType: 'text/html' },
      },
    },
    async (ctx, { params }) => {
      let result: Awaited<ReturnType<LinkStore['consume']>>;
      try {
        result = await deps.links.consume(params.code);
      } catch (error) {
        log.error({ err: error }, 'link store unavailable');
        return answerPage(ctx, 503, 'unavailable');
      }
      if (result.kind === 'used') return answerPage(ctx, 410, 'used');
      if (result.kind === 'expired') return answerPage(ctx, 410, 'expired');
      try {
        await deps.onConfirmed(result.link);
      } catch (error) {
        log.error({ err: error, purpose: result.link.purpose }, 'link confirmation not recorded; link restored');
        await deps.links.restore(params.code, result.link);
        return answerPage(ctx, 503, 'unavailable');
      }
      ctx.set('cache-control', 'no-store');
      ctx.redirect(result.link.url);
    },
  );
}

/** GET /links/confirmed (public): where a confirmation link redirects by default. */
function mountConfirmedPage(target: RouteTarget): void {
  mountRoute(
    target,
    {
      method: 'get', path: '/links/confirmed', summary: 'The page shown after a confirmation link was used', tag: 'links',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    },
    async (ctx) => answerPage(ctx, 200, 'confirmed'),
  );
}
