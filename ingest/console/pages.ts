/**
 * What a browser sees outside the console's own pages: the sign-in failure pages (fixed texts, nothing
 * from the request goes into them) and the console's static files.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

/** ingest/console/static beside this file, or (running from dist/) in the source tree. */
function staticDir(): string {
  const candidates = [path.join(__dirname, 'static'), path.resolve(__dirname, '../../../ingest/console/static')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The console's static files by URL path, read once: only these names are ever served. */
export function loadStaticFiles(names: readonly string[] = ['index.html', 'console.js', 'console.css']): Map<string, { type: string; body: Buffer }> {
  const dir = staticDir();
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of names) {
    const file = path.join(dir, name);
    if (existsSync(file)) files.set(name, { type: TYPES[path.extname(name)] ?? 'application/octet-stream', body: readFileSync(file) });
  }
  return files;
}
