import { describeError } from '../../platform/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { HealthSchema, HealthView, LivenessSchema } from '../openapi/health';
import type { HealthCheck } from '../ports';
import { hasRole, type Authenticate } from '../middleware/auth';

export interface HealthRoutesDeps {
  health: readonly HealthCheck[];
  /** Per check; a dependency slower than this counts as down. */
  timeoutMs: number;
  /** Tells an admin (who may read why a dependency is down) from the public (who may not). */
  authenticate: Authenticate;
}

/** Runs one check; resolves null when up, or a short reason when down. Never rejects. */
export async function probe(check: HealthCheck, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    const outcome = check.check().then(
      () => null,
      (error: unknown) => describeError(error).slice(0, 200),
    );
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check in parallel. */
export async function healthOf(checks: readonly HealthCheck[], timeoutMs: number): Promise<HealthView> {
  const outcomes = await Promise.all(checks.map((check) => probe(check, timeoutMs)));
  const view: HealthView = { status: 'ok', checks: {} };
  const reasons: Record<string, string> = {};
  checks.forEach((check, i) => {
    const reason = outcomes[i];
    view.checks[check.name] = reason ? 'down' : 'up';
    if (reason) reasons[check.name] = reason;
  });
  if (Object.keys(reasons).length > 0) Object.assign(view, { status: 'down', reasons });
  return view;
}

/** True when the request carries an admin API key; any other credential, valid or not, is the public. */
async function isAdmin(authenticate: Authenticate, authorization: string | undefined): Promise<boolean> {
  if (!authorization) return false;
  try {
    return hasRole(await authenticate(authorization), 'admin');
  } catch {
    return false;
  }
}

/**
 * GET /healthz (public, liveness): 200 while the process serves requests. It asks no dependency, so an
 * orchestrator never restarts an API process for a Redis or Kafka outage it cannot fix by restarting.
 * GET /readyz (public, readiness): 200 when every dependency answers, 503 otherwise, with up/down per
 * dependency; why one is down (an exception's text: host names, ports, versions) only for an admin key.
 */
export function mountHealthRoute(target: RouteTarget, deps: HealthRoutesDeps): void {
  mountRoute(
    target,
    {
      method: 'get', path: '/healthz', summary: 'The process is alive', tag: 'operations',
      responses: { 200: { description: 'The process serves requests', schema: LivenessSchema } },
    },
    async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
    },
  );
  mountRoute(
    target,
    {
      method: 'get', path: '/readyz', summary: 'Health of the dependencies (readiness)', tag: 'operations',
      responses: {
        200: { description: 'Every dependency is up', schema: HealthSchema },
        503: { description: 'At least one dependency is down', schema: HealthSchema },
      },
    },
    async (ctx) => {
      const view = await healthOf(deps.health, deps.timeoutMs);
      ctx.status = view.status === 'ok' ? 200 : 503;
      ctx.set('Cache-Control', 'no-store');
      if (await isAdmin(deps.authenticate, ctx.get('Authorization') || undefined)) {
        ctx.body = view;
        return;
      }
      const { reasons: _hidden, ...publicView } = view;
      ctx.body = publicView;
    },
  );
}
