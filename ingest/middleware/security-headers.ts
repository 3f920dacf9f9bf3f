import type { Middleware } from 'koa';

/**
 * The Content-Security-Policy of every response. Our HTML pages (Swagger UI, the unsubscribe and link
 * pages) load scripts and styles only from our own origin and have no inline script; the console's
 * import map, the one exception, is admitted by its hash (the route puts it in ctx.state.scriptHashes).
 * Swagger UI's CSS embeds data: images. No page may be framed (clickjacking of the unsubscribe button), and forms post
 * only back to us.
 */
export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'none'",
    ["script-src 'self'", ...scriptHashes].join(' '),
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * Security headers on every response, errors included (it runs outside the error handler). Referrer-Policy
 * no-referrer matters most: an /u/{token} or /l/{code} URL is a credential and must never leave in a Referer.
 */
export function securityHeaders(): Middleware<{ scriptHashes?: string[] }> {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      ctx.set('Content-Security-Policy', ctx.state.scriptHashes ? contentSecurityPolicy(ctx.state.scriptHashes) : CONTENT_SECURITY_POLICY);
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Referrer-Policy', 'no-referrer');
      ctx.set('X-Frame-Options', 'DENY'); // frame-ancestors for browsers without CSP level 2
      ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    }
  };
}
