/**
 * The console's sign-in, assembled for createApp: the session policy, the caller of a request (for the
 * route guards and the rate limiter) and the sign-in routes.
 */
import type { ApiRouter } from '../http/context';
import type { Authenticate, ConsoleCaller } from '../middleware/auth';
import type { Clock } from '../ports';
import type { OidcClient } from './oidc-client';
import { mountConsoleRoutes } from './routes';
import type { ConsoleSessionStore } from './session-store';
import { createConsoleAuthenticator, createConsoleSessions } from './sessions';

export interface ConsoleOptions {
  store: ConsoleSessionStore;
  /** PUBLIC_BASE_URL: https there makes the cookies Secure. */
  publicBaseUrl: string;
  /** CONSOLE_SESSION_IDLE_MIN and CONSOLE_SESSION_MAX_H, in ms. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Secure cookies even when PUBLIC_BASE_URL is http (production). */
  forceSecureCookies?: boolean;
  /** The OIDC relying party (oidc-client.ts); absent: sign-in with an API key. */
  oidc?: OidcClient | undefined;
}

export function createConsole(options: ConsoleOptions, deps: { authenticate: Authenticate; clock: Clock }): { caller: ConsoleCaller; mount(router: ApiRouter): void } {
  const secure = options.forceSecureCookies === true || new URL(options.publicBaseUrl).protocol === 'https:';
  const sessions = createConsoleSessions({ store: options.store, clock: deps.clock, policy: { idleMs: options.sessionIdleMs, maxMs: options.sessionMaxMs, secure } });
  const console = createConsoleAuthenticator(sessions);
  return {
    caller: console,
    mount: (router) => mountConsoleRoutes(router, {
      sessions, store: options.store, console, authenticate: deps.authenticate, oidc: options.oidc, publicBaseUrl: options.publicBaseUrl,
    }),
  };
}
