/**
 * What a browser sees when the console's sign-in fails: fixed pages (nothing
 * from the request goes into them).
 */
import type { Context } from 'koa';

const FAILURES = {
  'no-role': {
    status: 403,
    title: 'No access to the console',
    text: 'You signed in, but your account has none of the console roles (viewer, editor, admin). Ask an administrator to grant you one, then sign in again.',
  },
  refused: { status: 401, title: 'Sign-in failed', text: 'The sign-in provider did not confirm who you are. Please sign in again.' },
  expired: { status: 400, title: 'Sign-in expired', text: 'This sign-in took too long or was already used. Please sign in again.' },
  unavailable: { status: 503, title: 'Sign-in unavailable', text: 'The sign-in provider cannot be reached right now. Please try again in a minute.' },
} as const;

export type SignInFailure = keyof typeof FAILURES;

export function answerSignInFailure(ctx: Context, failure: SignInFailure): void {
  const page = FAILURES[failure];
  ctx.status = page.status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">`
    + `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${page.title}</title></head>`
    + `<body><main><h1>${page.title}</h1><p>${page.text}</p><p><a href="/console/auth/login">Sign in again</a></p></main></body></html>`;
}
