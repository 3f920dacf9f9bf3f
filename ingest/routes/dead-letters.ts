import { z } from '../../domain/resources/zod';
import type { DeadLetters } from '../dead-letters';
import { RouteTarget, mountRoute } from '../http/route';
import { IdParams, pageOf, pageQueryShape } from '../openapi/paging';

const DeadLetterSchema = z.object({
  id: z.string(), originalTopic: z.string(), partition: z.number(), offset: z.string(), consumerGroup: z.string(),
  reasonCode: z.string(), reason: z.string(), attempts: z.number(), failedAt: z.string(), key: z.string().nullable(),
  value: z.unknown().openapi({ description: 'The original record decoded with its topic\'s schema, or null when it does not decode' }),
  replayed: z.boolean(),
}).openapi('DeadLetter');
const ReplaySchema = z.object({ id: z.string(), alreadyReplayed: z.boolean() }).openapi('DeadLetterReplay');
const ListQuery = z.strictObject({ ...pageQueryShape, topic: z.string().min(1).max(200).optional() });
const TopicQuery = z.strictObject({ topic: z.string().min(1).max(200) });

const tag = 'dead-letters';
const role = 'admin';

/**
 * The dead-letter topic for operators (admin): list with reasons and decoded payloads, replay one or all
 * of a topic's after a fix. Replaying twice processes a record once (ingest/dead-letters.ts).
 */
export function mountDeadLetterRoutes(target: RouteTarget, deps: { deadLetters: DeadLetters }): void {
  mountRoute(target, {
    method: 'get', path: '/api/dead-letters', summary: 'List dead letters, newest first', tag, role, query: ListQuery,
    responses: { 200: { description: 'A page of dead letters', schema: pageOf(DeadLetterSchema, 'DeadLetterPage') } },
  } as const, async (ctx, { query }) => {
    ctx.body = await deps.deadLetters.list({ topic: query.topic, limit: query.limit, cursor: query.cursor });
  });

  mountRoute(target, {
    method: 'post', path: '/api/dead-letters/replay', summary: "Replay every dead letter of a topic onto it (each at most once)", tag, role,
    query: TopicQuery,
    responses: { 200: { description: 'What was replayed', schema: z.object({ items: z.array(ReplaySchema) }) }, 409: { description: 'A state topic' } },
  } as const, async (ctx, { query }) => {
    ctx.body = { items: await deps.deadLetters.replayTopic(query.topic) };
  });

  mountRoute(target, {
    method: 'post', path: '/api/dead-letters/{id}/replay', summary: 'Replay one dead letter onto its original topic (at most once)', tag, role,
    params: IdParams,
    responses: { 200: { description: 'Replayed, or already replayed before', schema: ReplaySchema }, 409: { description: 'A state topic' } },
  } as const, async (ctx, { params }) => {
    ctx.body = await deps.deadLetters.replay(params.id);
  });
}
