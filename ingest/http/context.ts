import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { Logger } from '../../platform/logger';

/** Who made the request: an API key of a service/admin, an end user holding a JWT, or an operator signed into the console. */
export interface Principal {
  kind: 'apiKey' | 'user' | 'console';
  /** A log-safe id: a fingerprint of the key, the user's client id (JWT subject), or `console:<subject>`. */
  id: string;
  roles: readonly string[];
  /** A user's token stops verifying at this instant (epoch ms: exp + the allowed clock skew); a console session's absolute end. */
  validUntil?: number;
}

/** What the middleware stack keeps on `ctx.state` for the rest of the request. */
export interface ApiState {
  requestId: string;
  /** pino child carrying the request id; handlers log through it. */
  log: Logger;
  /** Extra fields of the access log line (ids of the resource the route touched). */
  logFields: Record<string, string>;
  principal?: Principal;
  /** Inline scripts this response's page may run, as CSP hash sources (security-headers.ts). */
  scriptHashes?: string[];
}

/** The Koa context every route handler receives. */
export type ApiContext = RouterContext<ApiState>;

/** The router all API routes are mounted on. */
export type ApiRouter = Router<ApiState>;
