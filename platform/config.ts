import { z } from 'zod';
import { VestnikError } from './errors';
import { deriveUnsubscribeSecret } from './unsubscribe';
import { parseLanes, type Lane } from './lanes';
import { SASL_MECHANISMS, type KafkaSecurity } from './kafka/security';
import { TOPIC_PREFIX_PATTERN } from './kafka/topic-names';
import { DEV_DEFAULTS, describeProductionProblems, productionProblems } from './config-production';
import { HttpProviderSpecSchema, resolveHeaderSecrets, type HttpProviderSpec } from './http/provider-spec';
import { BUILT_IN_PROVIDERS, DEFAULT_PROVIDER, SMS_SECONDARY_PROVIDER, SMTP_SECONDARY_PROVIDER } from './providers';
import { isKnownTimeZone } from './time-zones';

/** "key1:admin|stats,key2:service" → one entry per key with its roles. */
const apiKeys = z
  .string()
  .default(DEV_DEFAULTS.API_KEYS)
  .transform((raw, ctx) => {
    const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
    const keys: { key: string; roles: string[] }[] = [];
    for (const entry of entries) {
      const [key, roles] = entry.split(':');
      if (!key || !roles) {
        ctx.addIssue({ code: 'custom', message: 'expected key:role|role entries separated by commas' });
        return z.NEVER;
      }
      keys.push({ key, roles: roles.split('|').filter(Boolean) });
    }
    return keys;
  });

/** What a channel does with an ambiguous provider call (senders/core/outcome.ts). */
export const AMBIGUOUS_ACTIONS = ['resend', 'fail'] as const;
export type AmbiguousAction = (typeof AMBIGUOUS_ACTIONS)[number];

/** "a@x.org, b@y.org" → the addresses, each checked; empty → none. */
const emailList = z
  .string()
  .default('')
  .transform((raw) => raw.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.email('expected comma-separated email addresses')).max(50));

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const bool = (fallback: boolean) =>
  z.enum(['true', 'false', '1', '0']).default(fallback ? 'true' : 'false').transform((v) => v === 'true' || v === '1');

/** Environment variables, their defaults and their rules: the configuration table of the README. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * OpenTelemetry's own names (platform/tracing). With an endpoint, spans go to `<endpoint>/v1/traces` (OTLP/HTTP
   * JSON, e.g. an OpenTelemetry Collector on :4318); without one, trace ids still travel and reach every log line.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('vestnik'),
  /** Share of new traces recorded (0–1); a caller's sampled `traceparent` is kept either way. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().default('vestnik'),
  /** Consumer group ids are `<prefix>-<stage>`: a second deployment (or a test run) on the same topics uses another prefix. */
  KAFKA_GROUP_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/).default('vestnik'),
  /** Topics are `<prefix>.<name>` (DESIGN.md): several deployments (or test stacks) share a cluster; empty keeps the plain names. */
  KAFKA_TOPIC_PREFIX: z.union([z.literal(''), z.string().regex(TOPIC_PREFIX_PATTERN)]).default(''),
  /**
   * The topics' replication: copies of each partition, and how many must have a record before the
   * producers' acks=all answers. 1 and 1 on one broker; 3 and 2 on a cluster (a broker may be lost, and a
   * write still needs two copies). Applied when setup creates a topic; min.insync.replicas also to topics
   * that exist (the replication factor of an existing topic is a reassignment, left to operators).
   */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(16).default(1),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(16).default(1),
  /** SASL: plain, scram-sha-256 or scram-sha-512 (any case); needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  KAFKA_SASL_MECHANISM: z.string().transform((v) => v.toLowerCase()).pipe(z.enum(SASL_MECHANISMS)).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers; the CA, client certificate and key are PEM files. */
  KAFKA_SSL: bool(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: bool(true),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379/0'),
  REDIS_KEY_PREFIX: z.string().default('vestnik:'),
  /**
   * A Redis Cluster: some of its nodes as host:port, comma-separated (the client learns the rest). REDIS_URL
   * then gives only the user, password and TLS (rediss://) every node shares. Unset: the one Redis of REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z.string().optional(),
  CLICKHOUSE_URL: z.url().default('http://127.0.0.1:8123'),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('vestnik'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  /**
   * A finished mailing of at least this many messages has its statistics rows folded into one part
   * (analytics/fold-mailing.ts), so its counts read fast; a smaller one reads little anyway.
   */
  STATS_FOLD_MIN_MESSAGES: int(50_000, 1),
  /**
   * A ClickHouse cluster (analytics/cluster-schema.ts): its name in the servers' `remote_servers`, and one
   * HTTP URL per shard, where setup creates each shard's tables and erasure deletes rows. CLICKHOUSE_URL
   * then reaches any shard (or a balancer over them). Unset: one server.
   */
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  CLICKHOUSE_SHARD_URLS: z.string().optional(),
  /**
   * Where a new analytics group starts on deliveries.status: `earliest` (production: every status ever
   * kept reaches ClickHouse) or `latest` (test stacks with a fresh database, which need only their own).
   */
  ANALYTICS_START_FROM: z.enum(['earliest', 'latest']).default('earliest'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: int(8080, 0),
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8080'),
  API_KEYS: apiKeys,
  JWT_SECRET: z.string().min(16).default(DEV_DEFAULTS.JWT_SECRET),
  /** Set: users' JWTs are verified against this JWKS (RS256/ES256…) and JWT_SECRET verifies none. */
  JWT_JWKS_URL: z.url().optional(),
  /** Checked against the token's `iss` / `aud` when set. */
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Clock skew allowed on `exp` and `nbf`, in seconds. */
  JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  /** Signs the unsubscribe links of promo emails; defaults to a secret derived from JWT_SECRET. */
  UNSUBSCRIBE_SECRET: z.string().min(16).optional(),
  SMS_API_URL: z.url().default('http://127.0.0.1:8091'),
  /** The provider's long-lived JWT. The default is accepted by the bundled simulator (secret SMS_SIMULATOR_SECRET). */
  SMS_API_TOKEN: z.string().default(DEV_DEFAULTS.SMS_API_TOKEN),
  SMS_SIMULATOR_SECRET: z.string().default(DEV_DEFAULTS.SMS_SIMULATOR_SECRET),
  /** The most SMS requests in flight per sender lane; within it the limit adapts to what the provider takes (senders/policy/adaptive-concurrency.ts). */
  SMS_CONCURRENCY: int(64, 1),
  SMS_TIMEOUT_MS: int(5000, 1),
  /**
   * A second SMS API of the same contract, taken when the first did not take a message and cannot have
   * (its circuit open, refused, 5xx, 429): senders/policy/failover-channel.ts. Empty: none.
   */
  SMS_SECONDARY_API_URL: z.union([z.literal(''), z.url()]).default(''),
  SMS_SECONDARY_API_TOKEN: z.string().default(''),
  SMS_SECONDARY_CONCURRENCY: int(64, 1),
  SMTP_URL: z.string().default('smtp://127.0.0.1:2525'),
  /** A second SMTP relay, taken when the first did not take a message (a 4xx reply, refused, circuit open). Empty: none. */
  SMTP_SECONDARY_URL: z.string().default(''),
  MAIL_FROM: z.string().default('Vestnik <no-reply@vestnik.local>'),
  /** How long an email confirmation link works (once). */
  LINK_TTL_MS: int(24 * 3600 * 1000, 1),
  PUSH_API_URL: z.url().default('http://127.0.0.1:8092'),
  PUSH_PROJECT_ID: z.string().regex(/^[A-Za-z0-9-]+$/).default('vestnik-dev'),
  PUSH_API_TOKEN: z.string().default(DEV_DEFAULTS.PUSH_API_TOKEN),
  PUSH_CONCURRENCY: int(64, 1),
  PUSH_TIMEOUT_MS: int(5000, 1),
  /** The user-data service that context providers (templates' `contextProvider`) call; the bundled simulator listens here. */
  USER_DATA_URL: z.url().default('http://127.0.0.1:8093'),
  USER_DATA_TIMEOUT_MS: int(2000, 1),
  RETRY_MAX_ATTEMPTS: int(8, 1),
  /**
   * Provider rate limits shared by every sender process (senders/core/provider-rates.ts); 0: none. Each is
   * its provider's: SMS_ for the SMS API, SMS_SECONDARY_ for the second one, EMAIL_ for the SMTP relay,
   * SMTP_SECONDARY_ for the second relay (an HTTP_PROVIDERS entry has `ratePerSecond`, `ratePerHour`).
   */
  SMS_RATE_PER_S: int(0, 0),
  SMS_RATE_PER_HOUR: int(0, 0),
  SMS_SECONDARY_RATE_PER_S: int(0, 0),
  SMS_SECONDARY_RATE_PER_HOUR: int(0, 0),
  SMTP_SECONDARY_RATE_PER_S: int(0, 0),
  SMTP_SECONDARY_RATE_PER_HOUR: int(0, 0),
  PUSH_RATE_PER_S: int(0, 0),
  PUSH_RATE_PER_HOUR: int(0, 0),
  EMAIL_RATE_PER_S: int(0, 0),
  EMAIL_RATE_PER_HOUR: int(0, 0),
  /** The share of each per-second provider rate bulk may not use, kept for express. */
  PROVIDER_RATE_EXPRESS_SHARE: z.coerce.number().min(0).max(0.9).default(0.2),
  /** How long a message may wait to be sent, by priority, from its creation (or notBefore): stale ones expire (senders/core/outcome.ts). */
  MESSAGE_TTL_EXPRESS_MS: int(10 * 60_000, 1000),
  MESSAGE_TTL_BULK_MS: int(24 * 3600_000, 1000),
  RETRY_BASE_MS: int(1000, 1),
  RETRY_MAX_MS: int(60000, 1),
  /**
   * What a channel does with a provider call that was written but got no answer (the provider may have
   * sent the message): `fail` ends the delivery `failed` (reason `ambiguous: …`), `resend` tries again
   * after AMBIGUOUS_RESEND_DELAY_FACTOR × the normal retry delay. SMS fails by default: its provider
   * does not de-duplicate by msgId, so a resend is a second SMS to a person (issue 14). Push resends: a
   * repeated notification costs little, and FCM collapses none either way. Email resends: a session lost
   * mid-way counts as ambiguous (senders/email/classify.ts), and the re-send carries the same Message-ID.
   * In-app never reports an ambiguous call, so it has no setting.
   */
  AMBIGUOUS_POLICY_SMS: z.enum(AMBIGUOUS_ACTIONS).default('fail'),
  AMBIGUOUS_POLICY_PUSH: z.enum(AMBIGUOUS_ACTIONS).default('resend'),
  AMBIGUOUS_POLICY_EMAIL: z.enum(AMBIGUOUS_ACTIONS).default('resend'),
  AMBIGUOUS_RESEND_DELAY_FACTOR: int(5, 1),
  FANOUT_BATCH_SIZE: int(1000, 1),
  /** Priority lanes a processors/senders process runs ("express", "bulk" or both): express runs as its own processes in production (cli/roles/lane-selection.ts). */
  LANES: z.string().default('express,bulk').transform((raw, ctx) => {
    try {
      return parseLanes(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /**
   * The process's OS nice value, 0 (default) to 19: bulk processes on a machine they share with express ones
   * (a VM, the bench) run at 10, so the express lanes get the CPU first whenever they need it. In
   * Kubernetes pods are separate cgroups, where nice has little effect: the CPU requests do that job there.
   */
  PROCESS_NICE: z.coerce.number().int().min(0).max(19).default(0),
  /** Pending in-app messages kept per offline user (oldest dropped beyond it), and delivered ones kept as history. */
  INAPP_INBOX_MAX: z.coerce.number().int().min(1).max(5000).default(100),
  INAPP_HISTORY_MAX: z.coerce.number().int().min(1).max(5000).default(100),
  /**
   * Frequency caps per person, a JSON array of rules (domain/deliveries/frequency-caps.ts checks each rule
   * when the senders start); empty: no caps.
   */
  FREQUENCY_CAPS: z.string().default('[]').transform((raw, ctx) => {
    try {
      const rules: unknown = JSON.parse(raw);
      if (Array.isArray(rules)) return rules as unknown[];
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'expected a JSON array of rules' });
    return z.NEVER;
  }),
  /**
   * Providers defined in configuration only (platform/http/provider-spec.ts), a JSON array; each follows its
   * channel's built-in provider in the failover order. `${NAME}` in a header takes an environment variable.
   */
  HTTP_PROVIDERS: z.string().default('[]').transform((raw, ctx) => {
    let specs: unknown;
    try {
      specs = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON array of provider definitions' });
      return z.NEVER;
    }
    const parsed = z.array(HttpProviderSpecSchema).max(20).safeParse(specs);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `[${issue.path.join('.')}] ${issue.message}` });
      return z.NEVER;
    }
    const names = parsed.data.map((spec) => spec.name);
    const taken = names.filter((name, i) => names.indexOf(name) !== i || BUILT_IN_PROVIDERS.includes(name));
    if (taken.length > 0) {
      ctx.addIssue({ code: 'custom', message: `provider names must be unique and not built-in (${BUILT_IN_PROVIDERS.join(', ')}): ${taken.join(', ')}` });
      return z.NEVER;
    }
    return parsed.data;
  }),
  METRICS_ENABLED: bool(true),
  /** The probe port (/healthz, /readyz, /metrics) of a process that runs no API; unset: none (the API serves its own). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Request budgets per minute (ingest/middleware/rate-limit.ts), kept in Redis so every API process shares them. */
  RATE_LIMIT_ENABLED: bool(true),
  /** Per client IP, on everything outside /api (links, unsubscribe, docs, health, metrics) and on /api calls without a valid credential. */
  RATE_LIMIT_PUBLIC_PER_MIN: int(300, 1),
  /** Per API key, or per user (JWT subject) on /api/me. */
  RATE_LIMIT_API_PER_MIN: int(6000, 1),
  /** Websocket connection attempts per user (JWT subject). */
  RATE_LIMIT_WS_PER_MIN: int(30, 1),
  /** Per client IP, on the console's module files (about 35 a page load, served from memory), apart from the public budget. */
  RATE_LIMIT_STATIC_PER_MIN: int(3000, 1),
  /** Take the client IP from X-Forwarded-For (the address our one proxy appended): only behind a proxy that sets it. */
  TRUST_PROXY: bool(false),
  /** The console's OpenID Connect provider (ingest/console/); unset: the console signs in with an API key. */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The claim holding the console roles (viewer, editor, admin); an array or a string; a dotted path reaches into objects. */
  OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  OIDC_SCOPES: z.string().default('openid profile email'),
  /** Console sessions end after this many idle minutes, and in any case this many hours after sign-in. */
  CONSOLE_SESSION_IDLE_MIN: int(60, 1),
  CONSOLE_SESSION_MAX_H: int(12, 1),
  /** The daily statistics email (processors/scheduler/daily-report.ts): its recipients (none: no report). */
  DAILY_REPORT_TO: emailList,
  /** When the previous local day's report is sent: "HH:MM" of the wall clock in DAILY_REPORT_TZ. */
  DAILY_REPORT_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (00:00–23:59)').default('07:00'),
  /** The zone whose days the report covers and whose clock DAILY_REPORT_AT reads. */
  DAILY_REPORT_TZ: z.string().default('UTC').refine(isKnownTimeZone, {
    error: (issue) => `unknown IANA time zone ${JSON.stringify(issue.input)} (e.g. Europe/Moscow, UTC)`,
  }),
  /** A stored template (POST /api/templates) whose email part replaces the built-in report; unset: the built-in. */
  DAILY_REPORT_TEMPLATE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected a template id').optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  tracing: { otlpEndpoint?: string; serviceName: string; sampleRatio: number };
  kafka: {
    brokers: string[]; clientId: string; groupPrefix: string; topicPrefix: string; security: KafkaSecurity; schemaRegistryUrl?: string;
    replicationFactor: number; minInsyncReplicas: number;
  };
  /** `clusterNodes`: a Redis Cluster's seed nodes (host:port), or null for the one Redis of `url`. */
  redis: { url: string; keyPrefix: string; clusterNodes: string[] | null };
  clickhouse: {
    url: string; database: string; user: string; password: string; cluster: { name: string; shardUrls: string[] } | null;
    /** analytics/fold-mailing.ts: the fewest messages of a finished mailing folded. */
    foldMinMessages: number;
  };
  analytics: { startFrom: 'earliest' | 'latest' };
  http: { host: string; port: number; publicBaseUrl: string };
  auth: {
    apiKeys: { key: string; roles: string[] }[];
    jwtSecret: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    clockToleranceS: number;
  };
  unsubscribe: { secret: string };
  sms: {
    url: string; token: string; concurrency: number; timeoutMs: number; simulatorSecret: string;
    /** The second provider, tried when the first cannot take a message; null: none. */
    secondary: { url: string; token: string; concurrency: number } | null;
  };
  email: { smtpUrl: string; from: string; linkTtlMs: number; secondarySmtpUrl: string | null };
  push: { url: string; project: string; token: string; concurrency: number; timeoutMs: number };
  userData: { url: string; timeoutMs: number };
  retry: { maxAttempts: number; baseMs: number; maxMs: number };
  messageTtl: { express: number; bulk: number };
  /** By provider name (platform/providers.ts, HTTP_PROVIDERS names). */
  providerRates: { providers: Record<string, { perSecond: number; perHour: number }>; expressShare: number };
  ambiguous: { sms: AmbiguousAction; push: AmbiguousAction; email: AmbiguousAction; resendDelayFactor: number };
  fanout: { batchSize: number };
  lanes: Lane[];
  /** PROCESS_NICE: set once at start (cli/vestnik.ts). */
  processNice: number;
  inapp: { inboxMax: number; historyMax: number };
  /** HTTP_PROVIDERS, validated, with the secrets of their headers in place. Never log them. */
  httpProviders: readonly HttpProviderSpec[];
  /** FREQUENCY_CAPS as given: validated by the senders, which own the rules' meaning. */
  frequencyCaps: unknown[];
  metricsEnabled: boolean;
  metricsPort: number | undefined;
  rateLimits: { enabled: boolean; publicPerMin: number; apiPerMin: number; wsPerMin: number; staticPerMin: number };
  trustProxy: boolean;
  console: {
    /** Absent: no OIDC provider, the console is signed into with an API key. */
    oidc?: { issuer: string; clientId: string; clientSecret?: string | undefined; rolesClaim: string; scopes: string[] };
    sessionIdleMs: number;
    sessionMaxMs: number;
  };
  /** The daily statistics email; no recipients: off. */
  dailyReport: { recipients: string[]; at: string; timezone: string; templateId?: string | undefined };
}

/** Parses the environment once; a bad value names its variable. The result is frozen. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new VestnikError('CONFIG_INVALID', `invalid configuration — ${problems.join('; ')}`, {
      details: problems,
    });
  }
  const e = parsed.data;
  if (e.RETRY_BASE_MS > e.RETRY_MAX_MS) {
    throw new VestnikError('CONFIG_INVALID', 'invalid configuration — RETRY_BASE_MS must not exceed RETRY_MAX_MS');
  }
  if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) {
    throw new VestnikError('CONFIG_INVALID', 'invalid configuration — OIDC_ISSUER needs OIDC_CLIENT_ID');
  }
  const httpProviders = e.HTTP_PROVIDERS.map((spec) => resolveHeaderSecrets(spec, source));
  const secretProblems = httpProviders.flatMap((resolved) => resolved.problems);
  if (secretProblems.length > 0) {
    throw new VestnikError('CONFIG_INVALID', `invalid configuration — HTTP_PROVIDERS: ${secretProblems.join('; ')}`, { details: secretProblems });
  }
  if (e.NODE_ENV === 'production') {
    const problems = productionProblems(e);
    if (problems.length > 0) {
      throw new VestnikError('CONFIG_INVALID', describeProductionProblems(problems), { details: problems.map((p) => p.variable) });
    }
  }
  const kafkaSecurity = kafkaSecurityOf(e);
  return deepFreeze({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME, sampleRatio: e.OTEL_TRACES_SAMPLER_ARG },
    kafka: {
      brokers: e.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean),
      clientId: e.KAFKA_CLIENT_ID,
      groupPrefix: e.KAFKA_GROUP_PREFIX,
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
      ...replicationOf(e),
      security: kafkaSecurity,
      schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
    },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX, clusterNodes: redisClusterNodesOf(e) },
    clickhouse: {
      url: e.CLICKHOUSE_URL, database: e.CLICKHOUSE_DATABASE, user: e.CLICKHOUSE_USER, password: e.CLICKHOUSE_PASSWORD, cluster: clickhouseClusterOf(e),
      foldMinMessages: e.STATS_FOLD_MIN_MESSAGES,
    },
    analytics: { startFrom: e.ANALYTICS_START_FROM },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, publicBaseUrl: e.PUBLIC_BASE_URL },
    auth: {
      apiKeys: e.API_KEYS, jwtSecret: e.JWT_SECRET, jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, clockToleranceS: e.JWT_CLOCK_TOLERANCE_S,
    },
    unsubscribe: { secret: e.UNSUBSCRIBE_SECRET ?? deriveUnsubscribeSecret(e.JWT_SECRET) },
    sms: {
      url: e.SMS_API_URL, token: e.SMS_API_TOKEN, concurrency: e.SMS_CONCURRENCY, timeoutMs: e.SMS_TIMEOUT_MS, simulatorSecret: e.SMS_SIMULATOR_SECRET,
      secondary: e.SMS_SECONDARY_API_URL ? { url: e.SMS_SECONDARY_API_URL, token: e.SMS_SECONDARY_API_TOKEN, concurrency: e.SMS_SECONDARY_CONCURRENCY } : null,
    },
    email: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, linkTtlMs: e.LINK_TTL_MS, secondarySmtpUrl: e.SMTP_SECONDARY_URL || null },
    push: { url: e.PUSH_API_URL, project: e.PUSH_PROJECT_ID, token: e.PUSH_API_TOKEN, concurrency: e.PUSH_CONCURRENCY, timeoutMs: e.PUSH_TIMEOUT_MS },
    userData: { url: e.USER_DATA_URL, timeoutMs: e.USER_DATA_TIMEOUT_MS },
    retry: { maxAttempts: e.RETRY_MAX_ATTEMPTS, baseMs: e.RETRY_BASE_MS, maxMs: e.RETRY_MAX_MS },
    messageTtl: { express: e.MESSAGE_TTL_EXPRESS_MS, bulk: e.MESSAGE_TTL_BULK_MS },
    providerRates: {
      providers: {
        [DEFAULT_PROVIDER.sms]: { perSecond: e.SMS_RATE_PER_S, perHour: e.SMS_RATE_PER_HOUR },
        [SMS_SECONDARY_PROVIDER]: { perSecond: e.SMS_SECONDARY_RATE_PER_S, perHour: e.SMS_SECONDARY_RATE_PER_HOUR },
        [DEFAULT_PROVIDER.push]: { perSecond: e.PUSH_RATE_PER_S, perHour: e.PUSH_RATE_PER_HOUR },
        [DEFAULT_PROVIDER.email]: { perSecond: e.EMAIL_RATE_PER_S, perHour: e.EMAIL_RATE_PER_HOUR },
        [SMTP_SECONDARY_PROVIDER]: { perSecond: e.SMTP_SECONDARY_RATE_PER_S, perHour: e.SMTP_SECONDARY_RATE_PER_HOUR },
        ...Object.fromEntries(httpProviders.map(({ spec }) => [spec.name, { perSecond: spec.ratePerSecond, perHour: spec.ratePerHour }])),
      },
      expressShare: e.PROVIDER_RATE_EXPRESS_SHARE,
    },
    ambiguous: { sms: e.AMBIGUOUS_POLICY_SMS, push: e.AMBIGUOUS_POLICY_PUSH, email: e.AMBIGUOUS_POLICY_EMAIL, resendDelayFactor: e.AMBIGUOUS_RESEND_DELAY_FACTOR },
    fanout: { batchSize: e.FANOUT_BATCH_SIZE },
    lanes: e.LANES,
    processNice: e.PROCESS_NICE,
    inapp: { inboxMax: e.INAPP_INBOX_MAX, historyMax: e.INAPP_HISTORY_MAX },
    httpProviders: httpProviders.map((resolved) => resolved.spec),
    frequencyCaps: e.FREQUENCY_CAPS,
    metricsEnabled: e.METRICS_ENABLED,
    metricsPort: e.METRICS_PORT,
    rateLimits: { enabled: e.RATE_LIMIT_ENABLED, publicPerMin: e.RATE_LIMIT_PUBLIC_PER_MIN, apiPerMin: e.RATE_LIMIT_API_PER_MIN, wsPerMin: e.RATE_LIMIT_WS_PER_MIN, staticPerMin: e.RATE_LIMIT_STATIC_PER_MIN },
    trustProxy: e.TRUST_PROXY,
    console: {
      ...(e.OIDC_ISSUER && e.OIDC_CLIENT_ID ? {
        oidc: {
          issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET,
          rolesClaim: e.OIDC_ROLES_CLAIM, scopes: e.OIDC_SCOPES.split(/\s+/).filter(Boolean),
        },
      } : {}),
      sessionIdleMs: e.CONSOLE_SESSION_IDLE_MIN * 60_000,
      sessionMaxMs: e.CONSOLE_SESSION_MAX_H * 3_600_000,
    },
    dailyReport: { recipients: e.DAILY_REPORT_TO, at: e.DAILY_REPORT_AT, timezone: e.DAILY_REPORT_TZ, templateId: e.DAILY_REPORT_TEMPLATE_ID },
  });
}

/** The topics' replication; a write can never need more copies than there are. */
function replicationOf(e: Env): { replicationFactor: number; minInsyncReplicas: number } {
  if (e.KAFKA_MIN_INSYNC_REPLICAS > e.KAFKA_REPLICATION_FACTOR) {
    throw new VestnikError('CONFIG_INVALID', `invalid configuration — KAFKA_MIN_INSYNC_REPLICAS (${e.KAFKA_MIN_INSYNC_REPLICAS}) exceeds KAFKA_REPLICATION_FACTOR (${e.KAFKA_REPLICATION_FACTOR}): no write could succeed`);
  }
  return { replicationFactor: e.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: e.KAFKA_MIN_INSYNC_REPLICAS };
}

/** A Redis Cluster's seed nodes, each host:port (an IPv6 host in brackets), or null for one Redis. */
function redisClusterNodesOf(e: Env): string[] | null {
  if (e.REDIS_CLUSTER_NODES === undefined) return null;
  const nodes = e.REDIS_CLUSTER_NODES.split(',').map((node) => node.trim()).filter(Boolean);
  if (nodes.length === 0) throw new VestnikError('CONFIG_INVALID', 'invalid configuration — REDIS_CLUSTER_NODES is set but names no node');
  nodes.forEach((node, index) => {
    const port = Number(node.slice(node.lastIndexOf(':') + 1));
    if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(node) || port < 1 || port > 65_535) {
      throw new VestnikError('CONFIG_INVALID', `invalid configuration — REDIS_CLUSTER_NODES entry ${index + 1} is not host:port`);
    }
  });
  return nodes;
}

/** The ClickHouse cluster, if any: a name and a URL per shard come together, and each URL is one. */
function clickhouseClusterOf(e: Env): { name: string; shardUrls: string[] } | null {
  const invalid = (message: string) => new VestnikError('CONFIG_INVALID', `invalid configuration — ${message}`);
  const urls = (e.CLICKHOUSE_SHARD_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  if (!e.CLICKHOUSE_CLUSTER) {
    if (urls.length > 0) throw invalid('CLICKHOUSE_SHARD_URLS is set without CLICKHOUSE_CLUSTER');
    return null;
  }
  if (urls.length === 0) throw invalid('CLICKHOUSE_CLUSTER needs CLICKHOUSE_SHARD_URLS: one HTTP URL per shard');
  // The position, not the value: a URL may carry a password.
  urls.forEach((url, index) => {
    if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) {
      throw invalid(`CLICKHOUSE_SHARD_URLS entry ${index + 1} is not an http(s) URL`);
    }
  });
  return { name: e.CLICKHOUSE_CLUSTER, shardUrls: urls };
}

/** The SASL and TLS settings, with their cross-field rules: credentials come in full, TLS files only with KAFKA_SSL. */
function kafkaSecurityOf(e: Env): KafkaSecurity {
  const invalid = (message: string) => new VestnikError('CONFIG_INVALID', `invalid configuration — ${message}`);
  const security: KafkaSecurity = {};
  if (e.KAFKA_SASL_MECHANISM) {
    if (!e.KAFKA_SASL_USERNAME || !e.KAFKA_SASL_PASSWORD) {
      throw invalid('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    }
    security.sasl = { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD };
  } else if (e.KAFKA_SASL_USERNAME || e.KAFKA_SASL_PASSWORD) {
    throw invalid('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM');
  }
  const files = { KAFKA_SSL_CA_FILE: e.KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE: e.KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: e.KAFKA_SSL_KEY_FILE };
  const given = Object.entries(files).filter(([, path]) => path !== undefined).map(([name]) => name);
  if (!e.KAFKA_SSL) {
    if (given.length > 0) throw invalid(`${given.join(', ')} set but KAFKA_SSL is not true`);
    // PLAIN sends the password as it is: in production only inside TLS.
    if (e.NODE_ENV === 'production' && security.sasl?.mechanism === 'plain') throw invalid('KAFKA_SASL_MECHANISM=plain needs KAFKA_SSL=true in production');
    return security;
  }
  if (!e.KAFKA_SSL_CERT_FILE !== !e.KAFKA_SSL_KEY_FILE) throw invalid('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together');
  security.ssl = {
    caFile: e.KAFKA_SSL_CA_FILE, certFile: e.KAFKA_SSL_CERT_FILE, keyFile: e.KAFKA_SSL_KEY_FILE,
    rejectUnauthorized: e.KAFKA_SSL_REJECT_UNAUTHORIZED,
  };
  return security;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
