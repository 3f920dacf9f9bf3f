import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { RouterMiddleware } from '@koa/router';
import type { Middleware } from 'koa';
import { z } from '../../domain/resources/zod';
import { ErrorSchema } from '../openapi/paging';
import { defaultConsoleAccess, type ConsoleAccess, type Role } from '../middleware/auth';
import type { ApiContext, ApiRouter, ApiState } from './context';
import { MalformedRequestError, fieldProblems, invalidBody } from './errors';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One documented response: a JSON schema, or another media type (text/plain metrics…). */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

/** Everything about a route that both the router and the OpenAPI document need. */
export interface RouteSpec<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined> {
  method: Method;
  /** OpenAPI form, `/api/clients/{id}`; mounted on the router as `/api/clients/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** The role a caller needs; omitted for public routes (health, metrics, docs). */
  role?: Role;
  /** The console role a signed-in operator needs; default from `role` and the method (auth.ts defaultConsoleAccess). */
  console?: ConsoleAccess;
  /** Access-log field for the `{id}` path parameter (`clientId`, `mailingId`), logged even on 401. */
  logIdAs?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads (documented only; the route or `use` checks them). */
  headers?: z.ZodObject;
  /** Middleware run after the role guard and before validation (e.g. idempotency). */
  use?: readonly Middleware<ApiState>[];
  responses: Record<number, ResponseSpec>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** The validated inputs a handler receives. */
export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

/** Where routes are mounted: the router, the OpenAPI registry, and the role guard factory. */
export interface RouteTarget {
  router: ApiRouter;
  registry: OpenAPIRegistry;
  guard: (role: Role, consoleAccess: ConsoleAccess) => Middleware<ApiState>;
}

/**
 * Mounts a route and documents it from the same spec, so the document cannot miss a route. Order of
 * checks: auth (401/403), then path and query (400), then body (422).
 */
export function mountRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  target: RouteTarget,
  spec: RouteSpec<P, Q, B>,
  handler: (ctx: ApiContext, input: RouteInput<P, Q, B>) => Promise<void>,
): void {
  target.registry.registerPath(openApiRoute(spec));
  const validate = async (ctx: ApiContext): Promise<void> => {
    const input = {
      params: parseMalformed(spec.params, ctx.params, 'path parameters'),
      query: parseMalformed(spec.query, ctx.query, 'query'),
      body: parseBody(spec.body, ctx.request.body),
    } as RouteInput<P, Q, B>;
    await handler(ctx, input);
  };
  const path = spec.path.replace(/\{(\w+)\}/g, ':$1');
  const stack: RouterMiddleware<ApiState>[] = [];
  const logIdAs = spec.logIdAs;
  if (logIdAs) {
    stack.push(async (ctx, next) => {
      const id = ctx.params.id;
      if (id) ctx.state.logFields[logIdAs] = id;
      await next();
    });
  }
  if (spec.role) stack.push(target.guard(spec.role, spec.console ?? defaultConsoleAccess(spec.role, spec.method)));
  for (const middleware of spec.use ?? []) stack.push(middleware as RouterMiddleware<ApiState>);
  stack.push(validate);
  target.router[spec.method](path, ...stack);
}

function parseMalformed(schema: z.ZodType | undefined, value: unknown, what: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw new MalformedRequestError(`invalid ${what}`, fieldProblems(result.error.issues));
  return result.data;
}

function parseBody(schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw invalidBody(result.error);
  return result.data;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

type AnySpec = RouteSpec<z.ZodObject | undefined, z.ZodObject | undefined, z.ZodType | undefined>;

function openApiRoute(spec: AnySpec): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = response.schema
      ? { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
      : { description: response.description };
  }
  if (spec.params || spec.query) responses[400] = errorResponse('Malformed path parameter or query');
  if (spec.role) responses[401] = errorResponse('Missing or invalid bearer token');
  if (spec.role) responses[403] = errorResponse(`The token lacks the role ${spec.role}`);
  if (spec.path.includes('{')) responses[404] ??= errorResponse('No such resource');
  if (spec.body) responses[422] ??= errorResponse('Invalid request body; details name the failing fields');
  responses[429] ??= {
    ...errorResponse('Over the request budget (per API key or user on /api, per client IP elsewhere)'),
    headers: { 'Retry-After': { description: 'Seconds until the budget refills', schema: { type: 'integer', minimum: 1 } } },
  };
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.role ? { security: [{ bearerAuth: [] }], 'x-required-role': spec.role, 'x-console-role': spec.console ?? defaultConsoleAccess(spec.role, spec.method) } : {}),
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    },
    responses,
  };
}
