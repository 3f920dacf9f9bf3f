/**
 * A provider defined in configuration only (HTTP_PROVIDERS, a JSON array): where to send, how to build the
 * request from a delivery command, and how to read the answer. It lets an operator add another SMS gateway,
 * a push service or a chat bot's HTTP API without code; senders/http/ runs it.
 *
 * Secrets stay in the environment: `${NAME}` in a header value is replaced by the variable NAME when the
 * configuration is read (a missing one stops the start), so the JSON itself can live in a ConfigMap.
 */
import { z } from 'zod';

/** An HTTP status, or a class of them: "2xx", "4xx", "5xx". */
const StatusMatch = z.union([z.number().int().min(100).max(599), z.enum(['1xx', '2xx', '3xx', '4xx', '5xx'])]);

export const HttpProviderSpecSchema = z.strictObject({
  /** The provider's name in statuses, logs and metrics; unique, not one of the built-in ones. */
  name: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2–40 characters, starting with a letter'),
  /** The channel whose messages it sends, after the channel's built-in provider (failover order). */
  channel: z.enum(['sms', 'email', 'push', 'inapp', 'webhook']),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  /** The origin (and path prefix) requests go to; one keep-alive pool per provider. */
  baseUrl: z.url(),
  /** The request path after baseUrl, a Handlebars template over the command (see senders/http/request.ts). */
  path: z.string().min(1).max(2000),
  /** Header values are Handlebars templates too; `${NAME}` takes an environment variable (a secret). */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4000)).default({}),
  /**
   * The body. A JSON object or array: each string in it is a template, and a string that is only
   * `{{field}}` takes the field's own value (a boolean stays a boolean, a list a list); sent as JSON. Or a
   * string template, sent as it renders (`{{json field}}` writes a JSON literal, `{{url field}}` encodes).
   */
  body: z.union([z.string().max(20_000), z.record(z.string(), z.unknown()), z.array(z.unknown())]),
  /** Which answers mean what; the first rule that matches decides (sent, then permanent, then retriable). */
  sent: z.strictObject({
    status: z.array(StatusMatch).min(1).default(['2xx']),
    /** A field of the JSON answer that must equal this for a matching status to count as sent. */
    json: z.strictObject({ path: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
  }).default({ status: ['2xx'] }),
  /** A sent-status answer whose `json` check fails: retriable (default) or permanent. */
  jsonMismatch: z.enum(['retriable', 'permanent']).default('retriable'),
  permanent: z.array(StatusMatch).default(['4xx']),
  retriable: z.array(StatusMatch).default([408, 425, 429, '5xx']),
  /** A field of the JSON answer holding the provider's own message id (the status's providerMessageId). */
  messageIdPath: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(1).max(120_000).default(5_000),
  /** The ceiling of its adaptive concurrency limit. */
  concurrency: z.number().int().min(1).max(1_000).default(16),
  /** Its rate limits, shared by every sender process (senders/core/provider-rates.ts); 0: none. */
  ratePerSecond: z.number().int().min(0).default(0),
  ratePerHour: z.number().int().min(0).default(0),
});

export type HttpProviderSpec = z.output<typeof HttpProviderSpecSchema>;
export type StatusMatcher = z.output<typeof StatusMatch>;

/** True when `status` is listed, or its class ("4xx") is. */
export function statusMatches(status: number, list: readonly StatusMatcher[]): boolean {
  return list.some((match) => (typeof match === 'number' ? match === status : Math.floor(status / 100) === Number(match[0])));
}

/**
 * Replaces `${NAME}` in every header value by the environment variable NAME, before the value is compiled
 * as a template (a secret is escaped so that Handlebars prints it as it is; substituting after rendering
 * would let a message's text name a secret). Returns the problems (a missing or empty variable) instead of
 * throwing, so the configuration can say all of them at once.
 */
export function resolveHeaderSecrets(spec: HttpProviderSpec, env: Readonly<Record<string, string | undefined>>): { spec: HttpProviderSpec; problems: string[] } {
  const problems: string[] = [];
  const headers = Object.fromEntries(Object.entries(spec.headers).map(([name, value]) => [name, value.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_all, variable: string) => {
    const secret = env[variable];
    if (!secret) problems.push(`provider ${spec.name}: header ${name} needs the environment variable ${variable}`);
    return (secret ?? '').replace(/\{\{/g, '\\{{');
  })]));
  return { spec: { ...spec, headers }, problems };
}
