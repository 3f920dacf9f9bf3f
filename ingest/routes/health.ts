import { describeError } from '../../platform/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { HealthSchema, HealthView } from '../openapi/health';
import type { HealthCheck } from '../ports';

export interface HealthRoutesDeps {
  health: readonly HealthCheck[];
  /** Per check; a dependency slower than this counts as down. */
  timeoutMs: number;
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

/** GET /healthz (public): 200 when every dependency answers, 503 otherwise. */
export function mountHealthRoute(target: RouteTarget, deps: HealthRoutesDeps): void {
  mountRoute(
    target,
    {
      method: 'get', path: '/healthz', summary: 'Health of the dependencies', tag: 'operations',
      responses: {
        200: { description: 'Every dependency is up', schema: HealthSchema },
        503: { description: 'At least one dependency is down', schema: HealthSchema },
      },
    },
    async (ctx) => {
      const view = await healthOf(deps.health, deps.timeoutMs);
      ctx.status = view.status === 'ok' ? 200 : 503;
      ctx.body = view;
    },
  );
}
