import { RouteTarget, mountRoute } from '../http/route';
import { AudienceBodySchema, AudienceSizeSchema } from '../openapi/console-reads';
import type { AudienceSize } from '../ports';

/**
 * POST /api/mailings/audience: how many clients a filter reaches, before a mailing is created or started.
 * A POST because a filter may name up to a thousand codes and tags; it writes nothing, so console viewers
 * may call it.
 */
export function mountAudienceRoute(target: RouteTarget, deps: { audience: AudienceSize }): void {
  const spec = {
    method: 'post', path: '/api/mailings/audience', summary: 'The number of clients a mailing filter reaches (nothing is written)',
    tag: 'mailings', role: 'admin', console: 'viewer', body: AudienceBodySchema,
    responses: { 200: { description: 'The audience size, by the fan-out\'s own rule', schema: AudienceSizeSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { body }) => {
    ctx.body = { size: await deps.audience.of(body.filter) };
  });
}
